import { useState } from 'preact/hooks';
import type { PasscodeSheet } from '../../../../../server/src/contracts/roster.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, LoadState, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SelectField } from '../../../ui/fields.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t, tIn } from '../../../lib/i18n.js';
import { PASSCODE_SELECTION_KEY } from '../components/export-section.js';
import { PasscodeQr } from '../components/passcode-qr.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { Link } from '../../../lib/router.js';

function readSelection(search: URLSearchParams): string[] {
  if (!search.get('selection')) return [];
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(PASSCODE_SELECTION_KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export function PasscodesPage({ search }: { search: URLSearchParams }) {
  useTitle(t('passcodes.title'));
  const blocks = useAsync(() => api.blocks(), []);
  const [blockId, setBlockId] = useState(search.get('blockId') ?? '');
  const [selection] = useState(() => readSelection(search));
  const [sheet, setSheet] = useState<PasscodeSheet | null>(null);
  const { submit: run, busy, error, setError } = useSubmit();

  async function create(body: { blockId?: string; householdIds?: string[] }) {
    setError(null);
    await run(async () => {
      setSheet(await api.passcodes(body));
    });
  }

  const blockOptions = [
    { value: '', label: t('common.choose') },
    ...(blocks.data?.items ?? []).map((b) => ({ value: b.id, label: t('passcodes.blockOption', { name: b.name, count: b.householdCount }) })),
  ];

  return (
    <div class="stack">
      <div class="no-print stack">
        <PageHeading>{t('passcodes.title')}</PageHeading>
        <p>{t('passcodes.intro')}</p>
        <LoadState state={blocks} />
        <form
          class="card form inline-form"
          data-testid="passcode-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (!blockId) return setError(t('passcodes.errors.chooseBlock'));
            void create({ blockId });
          }}
          noValidate
        >
          <SelectField id="passcode-block" label={t('passcodes.block')} value={blockId} onValue={setBlockId} options={blockOptions} />
          <button type="submit" class="primary" disabled={busy}>
            {t('passcodes.create')}
          </button>
        </form>
        {selection.length > 0 && (
          <div class="card">
            <p>{t('passcodes.selection', { count: selection.length })}</p>
            <button type="button" class="primary" disabled={busy} onClick={() => void create({ householdIds: selection })}>
              {t('passcodes.createSelection')}
            </button>
          </div>
        )}
        <p class="hint">{t('passcodes.note')}</p>
        <p>
          <Link href={blockId ? `/letters?blockId=${blockId}` : '/letters'} data-testid="letters-link">
            {t('letters.fromPasscodes')}
          </Link>
        </p>
        {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
        {busy && <Loading />}
        {sheet && (
          <div class="actions">
            <p role="status">{t('passcodes.created', { count: sheet.items.length })}</p>
            <button type="button" class="primary" onClick={() => window.print()}>
              {t('passcodes.print')}
            </button>
          </div>
        )}
      </div>

      {sheet && sheet.items.length === 0 && <p>{t('passcodes.empty')}</p>}
      {sheet && sheet.items.length > 0 && (
        <div class="passcode-sheet" data-testid="passcode-sheet">
          {sheet.items.map((item) => (
            <article key={item.householdId} class="passcode-card" data-testid="passcode-card">
              <header class="passcode-head">
                <span>{item.blockName}</span>
                <span>
                  {t('passcodes.card.number')} {item.householdNumber}
                </span>
              </header>
              <h2 class="passcode-name">{t('passcodes.card.addressee', { name: item.householdName })}</h2>
              <p class="passcode-address">{item.address}</p>
              <PasscodeQr item={item} />
              <p class="passcode-url" translate={false}>
                {item.joinUrl}
              </p>
              <div class="passcode-instructions">
                <p lang="ja">{tIn('ja', 'passcodes.card.instructions')}</p>
                <p lang="en">{tIn('en', 'passcodes.card.instructions')}</p>
              </div>
            </article>
          ))}
        </div>
      )}
    </div>
  );
}
