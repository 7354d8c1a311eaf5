import { useState } from 'preact/hooks';
import type { AccountService } from '../../../../../server/src/contracts/directory-accounts.js';
import { api } from '../../../lib/api.js';
import { formatCalendarDay } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';
import { ConfirmDeadline } from './confirm-deadline.js';
import { FieldChanges } from './field-change.js';

/**
 * One of the organisation's services: what shows now, the change waiting for review, and its two
 * actions. Due soon (or stale), its deadline and the one-button reconfirm come first.
 */
export function OrganisationService({ service: s, onChanged }: { service: AccountService; onChanged: () => void }) {
  const [hours, setHours] = useState<string | null>(null);
  const action = useSubmit(async (work: () => Promise<unknown>) => {
    await work();
    setHours(null);
    onChanged();
  });
  const due = s.dueSoon || s.stale;
  const reconfirm = (
    <button type="button" class={due ? undefined : 'secondary'} disabled={action.busy} onClick={() => void action.submit(() => api.reconfirmDirectoryService(s.id))}>
      {t('directory.organisation.reconfirm')}
    </button>
  );
  return (
    <article class="card" data-testid="organisation-service">
      <h3>{s.name} <span class="badge">{s.stale ? t('directory.status.stale') : s.dueSoon ? t('directory.reminder.dueSoon') : t(`directory.status.${s.status}`)}</span></h3>
      {due && (
        <div class="notice" data-testid="organisation-due">
          <ConfirmDeadline service={s} />
          <p class="hint">{t('directory.reminder.prompt')}</p>
          {reconfirm}
        </div>
      )}
      <p>{t('directory.organisation.showing')} {[s.phone, s.hours].filter(Boolean).join(' · ')}</p>
      <p class="hint">{t('directory.editor.confirmed', { date: formatCalendarDay(s.lastConfirmedOn, { dateStyle: 'long' }) })}</p>
      {s.pending && (
        <div class="notice" data-testid="organisation-pending">
          <p><strong>{t('directory.organisation.pending')}</strong></p>
          <FieldChanges changes={s.pending.changes} />
        </div>
      )}
      {!s.pending && s.lastReview?.status === 'rejected' && (
        <p class="hint" data-testid="organisation-rejected">{t('directory.organisation.rejected', { reason: s.lastReview.reason })}</p>
      )}
      <ErrorAlert error={action.error} />
      {hours !== null ? (
        <form class="form" onSubmit={(e) => { e.preventDefault(); void action.submit(() => api.proposeDirectoryChange(s.id, { hours })); }}>
          <TextField id={`org-hours-${s.id}`} label={t('directory.editor.hoursPrompt')} value={hours} onValue={setHours} />
          <FormActions busy={action.busy} submitLabel={t('directory.organisation.send')} cancelLabel={t('common.cancel')} onCancel={() => setHours(null)} />
        </form>
      ) : (
        <div class="actions">
          <button type="button" class="secondary" onClick={() => setHours(s.hours)}>{t('directory.editor.hours')}</button>
          {!due && reconfirm}
        </div>
      )}
    </article>
  );
}
