import { useState } from 'preact/hooks';
import type { AccountService } from '../../../../../server/src/contracts/directory-accounts.js';
import { api } from '../../../lib/api.js';
import { formatCalendarDay } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { ConfirmDeadline } from './confirm-deadline.js';
import { FieldChanges } from './field-change.js';
import { OrganisationEditForm } from './organisation-edit-form.js';
import { WhoForLine } from './service-fields.js';

/**
 * One of the organisation's services: what shows now, the change waiting for review, and its two
 * actions. Due soon (or stale), its deadline and the one-button reconfirm come first.
 */
export function OrganisationService({ service: s, onChanged }: { service: AccountService; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const action = useSubmit(async (work: () => Promise<unknown>) => {
    await work();
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
      <WhoForLine service={s} />
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
      {editing ? (
        <OrganisationEditForm service={s} onCancel={() => setEditing(false)} onSent={() => { setEditing(false); onChanged(); }} />
      ) : (
        <div class="actions">
          <button type="button" class="secondary" onClick={() => setEditing(true)}>{t('directory.organisation.edit')}</button>
          {!due && reconfirm}
        </div>
      )}
    </article>
  );
}
