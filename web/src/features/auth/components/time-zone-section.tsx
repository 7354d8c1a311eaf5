import { useState } from 'preact/hooks';
import { api } from '../../../lib/api.js';
import { t } from '../../../lib/i18n.js';
import { useRequiredSession, useSession } from '../../../lib/session.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { SelectField } from '../../../ui/fields.js';
import { formatDateTime } from '../../../lib/format.js';

/** Every IANA zone this browser knows, the association's own first if it is not among them. */
function zones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['Asia/Tokyo', 'UTC'];
  return known.includes(current) ? known : [current, ...known];
}

/** The association's time zone (officers): every time shown, exported and put in a file name follows it. */
export function TimeZoneSection() {
  const session = useRequiredSession();
  const { setSession } = useSession();
  const [zone, setZone] = useState(session.association.timeZone);
  const [saved, setSaved] = useState(false);
  const { submit, busy, error } = useSubmit();

  async function save(event: Event) {
    event.preventDefault();
    setSaved(false);
    await submit(async () => {
      setSession(await api.updateAssociation({ timeZone: zone }));
      setSaved(true);
    });
  }

  return (
    <section class="section" aria-labelledby="time-zone-heading" data-testid="time-zone-section">
      <h2 id="time-zone-heading">{t('timeZone.title')}</h2>
      <p>{t('timeZone.intro')}</p>
      <form class="form" onSubmit={save} noValidate>
        <SelectField id="time-zone" label={t('timeZone.label')} value={zone} onValue={setZone} options={zones(session.association.timeZone).map((z) => ({ value: z, label: z }))} />
        <p class="hint">{t('timeZone.now', { time: formatDateTime(new Date().toISOString()) })}</p>
        <ErrorAlert error={error} />
        {saved && <Notice testid="time-zone-saved">{t('timeZone.saved', { zone: session.association.timeZone })}</Notice>}
        <p class="actions">
          <button type="submit" class="secondary" disabled={busy || zone === session.association.timeZone} data-testid="time-zone-save">
            {t('timeZone.save')}
          </button>
        </p>
      </form>
    </section>
  );
}
