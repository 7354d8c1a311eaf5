import { useState } from 'preact/hooks';
import type { RosterImportResult } from '../../../../../server/src/contracts/http.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';

const MAX_BYTES = 5 * 1024 * 1024;
const encodingLabels: Record<RosterImportResult['encoding'], string> = {
  'utf-8': 'UTF-8', shift_jis: 'Shift_JIS', 'utf-16le': 'UTF-16 (Unicode テキスト)', 'utf-16be': 'UTF-16 BE',
};
/** The CSV header row is fixed Japanese text (the file format), explained in the UI language. */
export const CSV_COLUMNS: { header: string; key: string }[] = [
  { header: '班', key: 'block' },
  { header: '世帯番号', key: 'householdNumber' },
  { header: '世帯名', key: 'householdName' },
  { header: '住所', key: 'address' },
  { header: '連絡手段', key: 'channels' },
  { header: '対応メモ', key: 'responderNotes' },
  { header: '氏名', key: 'name' },
  { header: 'ふりがな', key: 'kana' },
  { header: '電話', key: 'phone' },
  { header: 'メール', key: 'email' },
  { header: '言語', key: 'language' },
  { header: '役割', key: 'roles' },
];

export function ImportPage() {
  useTitle(t('import.title'));
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<RosterImportResult | null>(null);
  const [committed, setCommitted] = useState<RosterImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'preview' | 'commit' | null>(null);

  async function run(mode: 'preview' | 'commit') {
    setError(null);
    if (!file) return setError(t('import.errors.noFile'));
    if (file.size > MAX_BYTES) return setError(t('errors.tooLarge'));
    setBusy(mode);
    if (mode === 'preview') {
      setPreview(null);
      setCommitted(null);
    }
    try {
      const result = await api.importRoster(file, mode);
      if (mode === 'preview') setPreview(result);
      else if (result.committed) {
        setCommitted(result);
        setPreview(null);
      } else {
        // The server refused (the file has errors after all): show them.
        setPreview(result);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const canCommit = !!file && !!preview && preview.errors.length === 0 && busy === null;

  return (
    <div class="stack">
      <PageHeading>{t('import.title')}</PageHeading>
      <p>{t('import.intro')}</p>

      <details class="card help">
        <summary>{t('import.columnsTitle')}</summary>
        <p>{t('import.columnsIntro')}</p>
        <ol class="columns-list">
          {CSV_COLUMNS.map((column) => (
            <li key={column.key}>
              <code>{column.header}</code> — {t(`import.columns.${column.key}`)}
            </li>
          ))}
        </ol>
        <p>{t('import.encodingHelp')}</p>
        <p>
          <a href={api.exportUrl('utf-8')} download="tonari-roster.csv">
            {t('import.templateLink')}
          </a>{' '}
          <span class="muted">{t('import.templateHint')}</span>
        </p>
      </details>

      <form
        class="card form"
        data-testid="import-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run('preview');
        }}
      >
        <div class="field">
          <label for="import-file">{t('import.file')}</label>
          <p class="hint" id="import-file-hint">
            {t('import.fileHint')}
          </p>
          <input
            id="import-file"
            type="file"
            accept=".csv,.txt,.tsv,text/csv,text/plain,text/tab-separated-values"
            aria-describedby="import-file-hint"
            onChange={(event) => {
              setFile(event.currentTarget.files?.[0] ?? null);
              setPreview(null);
              setCommitted(null);
              setError(null);
            }}
          />
        </div>
        {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
        <div class="actions">
          <button type="submit" class="secondary" disabled={!file || busy !== null}>
            {busy === 'preview' ? t('import.checking') : t('import.preview')}
          </button>
          <button type="button" class="primary" disabled={!canCommit} onClick={() => void run('commit')}>
            {busy === 'commit' ? t('import.importing') : t('import.commit')}
          </button>
        </div>
        {preview && preview.errors.length > 0 && <p class="hint">{t('import.fixErrors')}</p>}
      </form>

      {committed && (
        <Notice testid="import-success">
          <p>{t('import.success', { rows: committed.rows })}</p>
          <Summary result={committed} />
          <p>
            <Link href="/roster">{t('import.toRoster')}</Link>
          </p>
        </Notice>
      )}

      {preview && (
        <section class="section" aria-labelledby="preview-heading">
          <h2 id="preview-heading">{t('import.previewTitle')}</h2>
          <div data-testid="import-summary" class="card">
            <dl class="facts">
              <div>
                <dt>{t('import.rows')}</dt>
                <dd>{preview.rows}</dd>
              </div>
              <div>
                <dt>{t('import.encoding')}</dt>
                <dd>{encodingLabels[preview.encoding]}</dd>
              </div>
              <div>
                <dt>{t('import.errorCount')}</dt>
                <dd>{preview.errors.length}</dd>
              </div>
            </dl>
            <Summary result={preview} />
          </div>
          {preview.errors.length === 0 ? (
            <p class="ok">{t('import.noErrors')}</p>
          ) : (
            <>
              <h3>{t('import.errorsTitle')}</h3>
              <div role="alert" class="alert alert-error">
                {t('import.hasErrors', { count: preview.errors.length })}
              </div>
              <div class="table-wrap">
                <table class="stacked" data-testid="import-errors">
                  <thead>
                    <tr>
                      <th scope="col">{t('import.line')}</th>
                      <th scope="col">{t('import.column')}</th>
                      <th scope="col">{t('import.message')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {preview.errors.map((issue, i) => (
                      <tr key={i} data-testid="import-error">
                        <td data-label={t('import.line')}>{issue.line}</td>
                        <td data-label={t('import.column')}>{issue.column ?? '—'}</td>
                        <td data-label={t('import.message')}>{issue.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </section>
      )}
    </div>
  );
}

function Summary({ result }: { result: RosterImportResult }) {
  const { summary } = result;
  const rows: { key: string; created: number; updated: number | null; unchanged: number }[] = [
    { key: 'blocks', created: summary.blocks.created, updated: null, unchanged: summary.blocks.unchanged },
    { key: 'households', ...summary.households },
    { key: 'people', ...summary.people },
  ];
  return (
    <div class="table-wrap">
      <table class="summary">
        <thead>
          <tr>
            <th scope="col">{t('import.kind')}</th>
            <th scope="col">{result.committed ? t('import.created') : t('import.toCreate')}</th>
            <th scope="col">{result.committed ? t('import.updated') : t('import.toUpdate')}</th>
            <th scope="col">{t('import.unchanged')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} data-testid={`import-summary-${row.key}`}>
              <th scope="row">{t(`import.kinds.${row.key}`)}</th>
              <td>{row.created}</td>
              <td>{row.updated ?? '—'}</td>
              <td>{row.unchanged}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
