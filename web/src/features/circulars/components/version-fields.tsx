import { useState } from 'preact/hooks';
import type { CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import { FormField } from '../../../ui/form-field.js';
import { t } from '../../../lib/i18n.js';
import type { FormState, SectionProps } from './compose-form-state.js';

type TextKey = { [K in keyof FormState]: FormState[K] extends string ? K : never }[keyof FormState];

/** The other versions of a circular: やさしい日本語 and English, each folded away until wanted. */
const VERSIONS: readonly { prefix: 'easyJapanese' | 'english'; idPrefix: string; lang: string; title: TextKey; body: TextKey; /** The start of its i18n keys: `${keys}Hint`, `${keys}Title`, `${keys}Body`. */
  keys: string }[] = [
  { prefix: 'easyJapanese', idPrefix: 'c-easy', lang: 'ja', title: 'easyTitle', body: 'easyBody', keys: 'easy' },
  { prefix: 'english', idPrefix: 'c-en', lang: 'en', title: 'englishTitle', body: 'englishBody', keys: 'english' },
];

export function VersionFields({ initial, ...section }: SectionProps & { initial: CircularDetail | null }) {
  return (
    <>
      {VERSIONS.map((version) => (
        <VersionField key={version.prefix} version={version} initiallyOpen={Boolean(initial?.[version.prefix])} {...section} />
      ))}
    </>
  );
}

function VersionField({ version, initiallyOpen, form, set, fieldErrors }: SectionProps & { version: (typeof VERSIONS)[number]; initiallyOpen: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  const { idPrefix, prefix, keys } = version;
  const shown = open || fieldErrors(prefix).length > 0;
  return (
    <details class="card version" open={shown} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>{t(`circulars.compose.${prefix}`)}</summary>
      {shown && (
        <>
          <p class="hint">{t(`circulars.compose.${keys}Hint`)}</p>
          <FormField id={`${idPrefix}-title`} label={t(`circulars.compose.${keys}Title`)} messages={fieldErrors(`${prefix}.title`)}>
            {(control) => <input {...control} lang={version.lang} value={form[version.title]} maxLength={200} onInput={(e) => set(version.title, e.currentTarget.value)} />}
          </FormField>
          <FormField id={`${idPrefix}-body`} label={t(`circulars.compose.${keys}Body`)} messages={fieldErrors(`${prefix}.bodyMarkdown`)}>
            {(control) => <textarea {...control} lang={version.lang} rows={8} value={form[version.body]} onInput={(e) => set(version.body, e.currentTarget.value)} />}
          </FormField>
        </>
      )}
    </details>
  );
}
