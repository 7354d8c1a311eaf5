import { api, ApiError } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { t } from '../../../lib/i18n.js';
import { useCheckedDownload } from '../../../lib/save-file.js';

export const PASSCODE_SELECTION_KEY = 'tonari.passcodeSelection';

export function ExportSection({ sectionRef }: { sectionRef?: { current: HTMLElement | null } }) {
  // Shift_JIS cannot hold every name (𠮷, 〜…): the server refuses rather than write "?", and
  // says which cells; the officer then takes the UTF-8 file, which Excel opens as well.
  const { busy, refused, download: downloadShiftJis } = useCheckedDownload(() => api.exportRoster('shift_jis'), 'tonari-roster-sjis.csv');

  return (
    <section class="section" aria-labelledby="export-heading" ref={sectionRef} id="export">
      <h2 id="export-heading">{t('export.title')}</h2>
      <p>{t('export.intro')}</p>
      <p class="actions">
        <a class="button secondary" href={api.exportUrl('utf-8')} download="tonari-roster.csv">
          {t('export.utf8')}
        </a>
        <button type="button" class="secondary" disabled={busy} onClick={() => void downloadShiftJis()} data-testid="export-sjis">
          {t('export.sjis')}
        </button>
      </p>
      <p class="hint">{t('export.sjisHint')}</p>
      {refused ? (
        <div data-testid="export-sjis-refused">
          <ErrorAlert
            error={refused}
            message={refused instanceof ApiError && refused.code === 'not_encodable' ? t('export.sjisRefused') : undefined}
          />
          <p>
            <a class="button primary" href={api.exportUrl('utf-8')} download="tonari-roster.csv">
              {t('export.utf8Instead')}
            </a>
          </p>
        </div>
      ) : null}
    </section>
  );
}
