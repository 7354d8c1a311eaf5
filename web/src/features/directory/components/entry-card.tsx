import { useState } from 'preact/hooks';
import type { EditorService } from '../../../../../server/src/contracts/directory.js';
import { api } from '../../../lib/api.js';
import { formatCalendarDay } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { ConfirmDeadline } from './confirm-deadline.js';
import { ServiceForm } from './service-form.js';
import { WhoForLine } from './service-fields.js';

/** One entry on the editors' page: its status and freshness, and, if the association's own, its actions (editing any field: ServiceForm). */
export function EntryCard({ service: s, onChanged }: { service: EditorService; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const action = useSubmit(async (work: () => Promise<unknown>) => {
    await work();
    setEditing(false);
    onChanged();
  });
  return (
    <article class="card" data-testid="directory-entry">
      <h3>{s.name} <span class="badge">{s.stale ? t('directory.status.stale') : t(`directory.status.${s.status}`)}</span>{s.dueSoon && <> <span class="badge">{t('directory.reminder.dueSoon')}</span></>}</h3>
      <p>{[s.organisation, s.phone, s.hours].filter(Boolean).join(' · ')}</p>
      <WhoForLine service={s} />
      <ConfirmDeadline service={s} />
      <p class="hint">{t('directory.editor.confirmed', { date: formatCalendarDay(s.lastConfirmedOn, { dateStyle: 'long' }) })}</p>
      <ErrorAlert error={action.error} />
      {!s.editable ? (
        <p class="hint">{t(s.cityOwned ? 'directory.city.owned' : 'directory.editor.notEditable')}</p>
      ) : editing ? (
        <ServiceForm service={s} onSaved={() => { setEditing(false); onChanged(); }} onCancel={() => setEditing(false)} />
      ) : (
        <div class="actions">
          <button type="button" class="secondary" disabled={action.busy} onClick={() => void action.submit(() => api.confirmDirectoryService(s.id))}>{t('directory.editor.confirm')}</button>
          <button type="button" class="secondary" onClick={() => setEditing(true)}>{t('directory.editor.edit')}</button>
          <button type="button" class="secondary" disabled={action.busy} onClick={() => void action.submit(() => api.updateDirectoryService(s.id, { status: s.status === 'published' ? 'hidden' : 'published' }))}>
            {s.status === 'published' ? t('directory.editor.hide') : t('directory.editor.publish')}
          </button>
        </div>
      )}
    </article>
  );
}
