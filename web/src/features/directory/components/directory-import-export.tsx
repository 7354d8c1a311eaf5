import { api, ApiError } from '../../../lib/api.js';
import { t } from '../../../lib/i18n.js';
import { useCheckedDownload } from '../../../lib/save-file.js';
import { ErrorAlert } from '../../../ui/alerts.js';

/**
 * The directory's export: the editor's own entries (an association's, a city's) as CSV in the import's format. UTF-8 is
 * a plain link; Shift_JIS is fetched first, since the server refuses (naming the cells) rather
 * than write a character Shift_JIS cannot hold as "?".
 */
export function DirectoryExport({ utf8Url = api.directoryExportUrl('utf-8'), shiftJis = () => api.exportDirectory('shift_jis') }: { utf8Url?: string; shiftJis?: () => Promise<Blob> } = {}) {
  const { busy, refused, download: downloadShiftJis } = useCheckedDownload(shiftJis, 'directory-sjis.csv');

  return (
    <section class="section" aria-labelledby="directory-export-heading">
      <h2 id="directory-export-heading">{t('directory.csv.exportTitle')}</h2>
      <p>{t('directory.csv.exportIntro')}</p>
      <p class="actions">
        <a class="button secondary" href={utf8Url} download data-testid="directory-export-utf8">
          {t('export.utf8')}
        </a>
        <button type="button" class="secondary" disabled={busy} onClick={() => void downloadShiftJis()} data-testid="directory-export-sjis">
          {t('export.sjis')}
        </button>
      </p>
      {refused ? (
        <ErrorAlert error={refused} message={refused instanceof ApiError && refused.code === 'not_encodable' ? t('export.sjisRefused') : undefined} />
      ) : null}
    </section>
  );
}
