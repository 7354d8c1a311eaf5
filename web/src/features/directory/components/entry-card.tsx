import { useState } from 'preact/hooks';
import type { EditorService } from '../../../../../server/src/contracts/directory.js';
import { api } from '../../../lib/api.js';
import { formatCalendarDay } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';
import { ConfirmDeadline } from './confirm-deadline.js';

/** One entry on the editors' page: its status and freshness, and, if the association's own, its actions. */
export function EntryCard({ service: s, onChanged }: { service: EditorService; onChanged: () => void }) {
  const [hours, setHours] = useState<string | null>(null);
  const action = useSubmit(async (work: () => Promise<unknown>) => {
    await work();
    setHours(null);
    onChanged();
  });
  return (
    <article class="card" data-testid="directory-entry">
      <h3>{s.name} <span class="badge">{s.stale ? t('directory.status.stale') : t(`directory.status.${s.status}`)}</span>{s.dueSoon && <> <span class="badge">{t('directory.reminder.dueSoon')}</span></>}</h3>
      <p>{[s.organisation, s.phone, s.hours].filter(Boolean).join(' · ')}</p>
      <ConfirmDeadline service={s} />
      <p class="hint">{t('directory.editor.confirmed', { date: formatCalendarDay(s.lastConfirmedOn, { dateStyle: 'long' }) })}</p>
      <ErrorAlert error={action.error} />
      {!s.editable ? (
        <p class="hint">{t(s.cityOwned ? 'directory.city.owned' : 'directory.editor.notEditable')}</p>
      ) : hours !== null ? (
        <form class="form" onSubmit={(e) => { e.preventDefault(); void action.submit(() => api.updateDirectoryService(s.id, { hours })); }}>
          <TextField id={`hours-${s.id}`} label={t('directory.editor.hoursPrompt')} value={hours} onValue={setHours} />
          <FormActions busy={action.busy} submitLabel={t('directory.editor.save')} cancelLabel={t('common.cancel')} onCancel={() => setHours(null)} />
        </form>
      ) : (
        <div class="actions">
          <button type="button" class="secondary" disabled={action.busy} onClick={() => void action.submit(() => api.confirmDirectoryService(s.id))}>{t('directory.editor.confirm')}</button>
          <button type="button" class="secondary" onClick={() => setHours(s.hours)}>{t('directory.editor.hours')}</button>
          <button type="button" class="secondary" disabled={action.busy} onClick={() => void action.submit(() => api.updateDirectoryService(s.id, { status: s.status === 'published' ? 'hidden' : 'published' }))}>
            {s.status === 'published' ? t('directory.editor.hide') : t('directory.editor.publish')}
          </button>
        </div>
      )}
    </article>
  );
}
