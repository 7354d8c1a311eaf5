import { useState } from 'preact/hooks';
import type { HouseholdWatch } from '../../../../../server/src/contracts/watch.js';
import { api } from '../../../lib/api.js';
import { FieldError, errorsFor, fieldErrorsOf, type FieldErrors } from '../../../ui/field-error.js';
import { isoToLocal, localToIso } from '../../../lib/datetime-local.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { formatShortDateTime, range } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';

// ── Away periods ───────────────────────────────────────────────────────────────────────

export function AwayPeriods({ watch, canEdit, onChange }: { watch: HouseholdWatch; canEdit: boolean; onChange: (next: HouseholdWatch) => void }) {
  const [startsAt, setStartsAt] = useState(() => isoToLocal(new Date().toISOString()));
  const [endsAt, setEndsAt] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  async function add(event: Event) {
    event.preventDefault();
    setNotice(null);
    setError(null);
    const local: FieldErrors = {};
    const start = localToIso(startsAt);
    const end = localToIso(endsAt);
    if (!start) local.startsAt = [t('watch.away.errors.start')];
    if (!end) local.endsAt = [t('watch.away.errors.end')];
    else if (start && Date.parse(end) <= Date.parse(start)) local.endsAt = [t('watch.away.errors.order')];
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      onChange(await api.addAway(watch.householdId, { startsAt: start!, endsAt: end!, reason: reason.trim() }));
      setEndsAt('');
      setReason('');
      setNotice(t('watch.away.added'));
    } catch (err) {
      const fields = fieldErrorsOf(err);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove(awayId: string) {
    if (!window.confirm(t('watch.away.confirmRemove'))) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      onChange(await api.removeAway(watch.householdId, awayId));
      setNotice(t('watch.away.removed'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fe = (field: string) => errorsFor(errors, field);
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
            <div class="field">
              <label for="away-start">{t('watch.away.start')}</label>
              <input
                id="away-start"
                type="datetime-local"
                value={startsAt}
                aria-invalid={fe('startsAt').length ? true : undefined}
                onInput={(e) => setStartsAt(e.currentTarget.value)}
              />
              <FieldError id="away-start-error" messages={fe('startsAt')} />
            </div>
            <div class="field">
              <label for="away-end">{t('watch.away.end')}</label>
              <input
                id="away-end"
                type="datetime-local"
                value={endsAt}
                aria-invalid={fe('endsAt').length ? true : undefined}
                onInput={(e) => setEndsAt(e.currentTarget.value)}
              />
              <FieldError id="away-end-error" messages={fe('endsAt')} />
            </div>
          </div>
          <div class="field">
            <label for="away-reason">{t('watch.away.reason')}</label>
            <input id="away-reason" maxLength={200} value={reason} placeholder={t('watch.away.reasonHint')} onInput={(e) => setReason(e.currentTarget.value)} />
          </div>
          {error ? <ErrorAlert error={error} /> : null}
          <button type="submit" class="primary" disabled={busy}>
            {t('watch.away.add')}
          </button>
        </form>
      )}
    </section>
  );
}
