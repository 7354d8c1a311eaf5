import { useState } from 'preact/hooks';
import type { EditorService } from '../../../../../server/src/contracts/directory.js';
import { api } from '../../../lib/api.js';
import { formatCalendarDay } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { useResource } from '../../../lib/use-resource.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert, Loading, Notice } from '../../../ui/alerts.js';
import { CsvFileForm, useCsvImport } from '../../../ui/csv-file-form.js';
import { ConfirmDeadline } from './confirm-deadline.js';
import { DirectoryExport } from './directory-import-export.js';
import { DirectoryImportPreview } from './directory-import-preview.js';
import { InviteForm } from './invite-form.js';
import { ServiceForm } from './service-form.js';
import { WhoForLine } from './service-fields.js';

/**
 * A city editor's own entries (after signing in at the directory's door): the city's entries
 * with their status and freshness (reconfirm, hide or publish), a new entry serving the city or
 * chosen areas of it (the officers' form), and the city's list as CSV (the officers' import and
 * export, for the city's entries).
 */
export function CityEditor() {
  const list = useResource((signal) => api.cityDirectoryServices(signal), { onReconnect: false });
  const { preview, committed, form } = useCsvImport((file, mode) => api.importCityDirectory(file, mode));
  if (list.error) return <ErrorAlert error={list.error} />;
  if (!list.data) return <Loading />;
  const { city, areas, items } = list.data;
  const names = new Map(areas.map((a) => [a.code, a.name]));
  return (
    <>
      <section class="stack" aria-labelledby="city-entries">
        <h2 id="city-entries">{t('directory.city.entries', { city: city.name })}</h2>
        {items.length === 0 && <p class="hint">{t('directory.city.none')}</p>}
        {[...items].sort((a, b) => Number(b.dueSoon || b.stale) - Number(a.dueSoon || a.stale)).map((s) => (
          <CityEntry key={s.id} service={s} areaNames={s.areaCodes.map((c) => names.get(c) ?? c)} onChanged={() => list.reload()} />
        ))}
      </section>
      <section class="stack" aria-labelledby="city-add">
        <h2 id="city-add">{t('directory.city.add')}</h2>
        <ServiceForm create={api.createCityDirectoryService} areas={areas} onSaved={() => list.reload()} />
      </section>
      <section class="stack" aria-labelledby="city-invite">
        <h2 id="city-invite">{t('directory.invite.title')}</h2>
        <p class="hint">{t('directory.city.inviteIntro')}</p>
        <InviteForm invite={api.inviteCityDirectoryOrganisation} />
      </section>
      <section class="stack" aria-labelledby="city-import">
        <h2 id="city-import">{t('directory.city.import')}</h2>
        <p class="hint">{t('directory.csv.columns')}</p>
        <CsvFileForm {...form} testid="city-import-form" inputId="city-directory-file" hint={t('directory.csv.fileHint')} accept=".csv,text/csv" />
        {committed && <Notice testid="city-import-success"><p>{t('directory.csv.success', { ...committed.summary })}</p></Notice>}
        {preview && <DirectoryImportPreview preview={preview} />}
        <DirectoryExport utf8Url={api.cityDirectoryExportUrl('utf-8')} shiftJis={() => api.exportCityDirectory('shift_jis')} />
      </section>
    </>
  );
}

/** One of the city's entries: where it serves, its status and freshness, reconfirm, edit (ServiceForm) and publish/hide. */
function CityEntry({ service: s, areaNames, onChanged }: { service: EditorService; areaNames: string[]; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const action = useSubmit(async (work: () => Promise<unknown>) => {
    await work();
    onChanged();
  });
  return (
    <article class="card" data-testid="city-entry">
      <h3>{s.name} <span class="badge">{s.stale ? t('directory.status.stale') : t(`directory.status.${s.status}`)}</span></h3>
      <p>{[s.organisation, s.phone, s.hours].filter(Boolean).join(' · ')}</p>
      <WhoForLine service={s} />
      <p class="hint">{t('directory.city.serves', { areas: areaNames.join('、') })}</p>
      <ConfirmDeadline service={s} />
      <p class="hint">{t('directory.editor.confirmed', { date: formatCalendarDay(s.lastConfirmedOn, { dateStyle: 'long' }) })}</p>
      <ErrorAlert error={action.error} />
      {editing ? (
        <ServiceForm service={s} update={api.updateCityDirectoryService} onSaved={() => { setEditing(false); onChanged(); }} onCancel={() => setEditing(false)} />
      ) : (
      <div class="actions">
        <button type="button" class="secondary" disabled={action.busy} onClick={() => void action.submit(() => api.confirmCityDirectoryService(s.id))}>{t('directory.editor.confirm')}</button>
        <button type="button" class="secondary" onClick={() => setEditing(true)}>{t('directory.editor.edit')}</button>
        <button type="button" class="secondary" disabled={action.busy} onClick={() => void action.submit(() => api.updateCityDirectoryService(s.id, { status: s.status === 'published' ? 'hidden' : 'published' }))}>
          {s.status === 'published' ? t('directory.editor.hide') : t('directory.editor.publish')}
        </button>
      </div>
      )}
    </article>
  );
}
