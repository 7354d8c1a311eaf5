import { useState } from 'preact/hooks';
import type { HouseholdWatch } from '../../../../../server/src/contracts/watch.js';
import { api } from '../../../lib/api.js';
import { awayRequestSchema } from '../../../../../server/src/contracts/watch.js';
import { useZodForm, type FieldErrors } from '../../../lib/forms.js';
import { TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';
import { isoToLocal, localToIso } from '../../../lib/datetime-local.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { formatShortDateTime, range } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';

// ── Away periods ───────────────────────────────────────────────────────────────────────

export function AwayPeriods({ watch, canEdit, onChange }: { watch: HouseholdWatch; canEdit: boolean; onChange: (next: HouseholdWatch) => void }) {
  const [startsAt, setStartsAt] = useState(() => isoToLocal(new Date().toISOString()));
  const [endsAt, setEndsAt] = useState('');
  const [reason, setReason] = useState('');
  const form = useZodForm(awayRequestSchema);
  const { busy, error } = form;
  const [notice, setNotice] = useState<string | null>(null);

  async function add(event: Event) {
    event.preventDefault();
    setNotice(null);
    // The form's own checks, not the contract schema's: its refine ("end after start") also fires
    // when the start is missing, and would mark a correct end as wrong.
    const local: FieldErrors = {};
    const start = localToIso(startsAt);
    const end = localToIso(endsAt);
    if (!start) local.startsAt = [t('watch.away.errors.start')];
    if (!end) local.endsAt = [t('watch.away.errors.end')];
    else if (start && Date.parse(end) <= Date.parse(start)) local.endsAt = [t('watch.away.errors.order')];
    form.reset();
    form.setErrors(local);
    if (!start || !end || local.endsAt) return;
    await form.submit(async () => {
      onChange(await api.addAway(watch.householdId, { startsAt: start, endsAt: end, reason: reason.trim() }));
      setEndsAt('');
      setReason('');
      setNotice(t('watch.away.added'));
    });
  }

  async function remove(awayId: string) {
    if (!window.confirm(t('watch.away.confirmRemove'))) return;
    setNotice(null);
    await form.submit(async () => {
      onChange(await api.removeAway(watch.householdId, awayId));
      setNotice(t('watch.away.removed'));
    });
  }

  return (
    <section class="section" aria-labelledby="away-heading">
      <h2 id="away-heading">{t('watch.away.heading')}</h2>
      <p class="hint">{t('watch.away.intro')}</p>
      {watch.away.length === 0 ? (
        <p class="muted">{t('watch.away.none')}</p>
      ) : (
        <ul class="plain away-list">
          {watch.away.map((away) => (
            <li key={away.id} class="card away-row" data-testid="away-row">
              <p>
                <strong>
                  {range(formatShortDateTime(away.startsAt), formatShortDateTime(away.endsAt))}
                </strong>
              </p>
              {away.reason && <p>{away.reason}</p>}
              {canEdit && (
                <button
                  type="button"
                  class="danger small"
                  disabled={busy}
                  aria-label={t('watch.away.removeNamed', { range: range(formatShortDateTime(away.startsAt), formatShortDateTime(away.endsAt)) })}
                  onClick={() => void remove(away.id)}
                >
                  {t('watch.away.remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {notice && <Notice testid="away-notice">{notice}</Notice>}
      {canEdit && (
        <form class="card form away-form" data-testid="away-form" onSubmit={(e) => void add(e)} noValidate>
          <h3>{t('watch.away.addHeading')}</h3>
          <div class="row">
            {[
              { id: 'away-start', field: 'startsAt', label: t('watch.away.start'), value: startsAt, set: setStartsAt },
              { id: 'away-end', field: 'endsAt', label: t('watch.away.end'), value: endsAt, set: setEndsAt },
            ].map((input) => (
              <TextField key={input.id} id={input.id} label={input.label} type="datetime-local" value={input.value} onValue={input.set} errors={form.messagesFor(input.field)} />
            ))}
          </div>
          <TextField id="away-reason" label={t('watch.away.reason')} maxLength={200} value={reason} placeholder={t('watch.away.reasonHint')} onValue={setReason} />
          <ErrorAlert error={error} />
          <FormActions busy={busy} submitLabel={t('watch.away.add')} />
        </form>
      )}
    </section>
  );
}
