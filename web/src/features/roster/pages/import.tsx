import { useState } from 'preact/hooks';
import type { RosterImportResult } from '../../../../../server/src/contracts/roster.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { DataTable } from '../../../ui/data-table.js';
import { Facts } from '../../../ui/facts.js';
import { FormField } from '../../../ui/form-field.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';

const MAX_BYTES = 5 * 1024 * 1024;
const encodingLabels: Record<RosterImportResult['encoding'], string> = {
  'utf-8': 'UTF-8', shift_jis: 'Shift_JIS', 'utf-16le': 'UTF-16 (Unicode テキスト)', 'utf-16be': 'UTF-16 BE',
};
/** The CSV header row is fixed Japanese text (the file format), explained in the UI language. */
export const CSV_COLUMNS: { header: string; key: string }[] = (
  [
    ['班', 'block'], ['世帯番号', 'householdNumber'], ['世帯名', 'householdName'], ['住所', 'address'],
    ['連絡手段', 'channels'], ['対応メモ', 'responderNotes'], ['氏名', 'name'], ['ふりがな', 'kana'],
    ['電話', 'phone'], ['メール', 'email'], ['言語', 'language'], ['役割', 'roles'],
  ] as const
).map(([header, key]) => ({ header, key }));

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
        <FormField id="import-file" label={t('import.file')} hint={t('import.fileHint')} messages={[]}>
          {(control) => (
            <input
              {...control}
              type="file"
              accept=".csv,.txt,.tsv,text/csv,text/plain,text/tab-separated-values"
              onChange={(event) => {
                setFile(event.currentTarget.files?.[0] ?? null);
                setPreview(null);
                setCommitted(null);
                setError(null);
              }}
            />
          )}
        </FormField>
        <ErrorAlert error={error} />
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
            <Facts
              facts={[
                { label: t('import.rows'), value: preview.rows },
                { label: t('import.encoding'), value: encodingLabels[preview.encoding] },
                { label: t('import.errorCount'), value: preview.errors.length },
              ]}
            />
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
              <DataTable
                testid="import-errors"
                rows={preview.errors}
                rowKey={(_, i) => i}
                rowProps={() => ({ 'data-testid': 'import-error' })}
                columns={[
                  { label: t('import.line'), cell: (issue) => issue.line },
                  { label: t('import.column'), cell: (issue) => issue.column ?? '—' },
                  { label: t('import.message'), cell: (issue) => issue.message },
                ]}
              />
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
    <DataTable
      class="summary"
      rows={rows}
      rowKey={(row) => row.key}
      rowProps={(row) => ({ 'data-testid': `import-summary-${row.key}` })}
      columns={[
        { label: t('import.kind'), rowHeader: true, cell: (row) => t(`import.kinds.${row.key}`) },
        { label: result.committed ? t('import.created') : t('import.toCreate'), cell: (row) => row.created },
        { label: result.committed ? t('import.updated') : t('import.toUpdate'), cell: (row) => row.updated ?? '—' },
        { label: t('import.unchanged'), cell: (row) => row.unchanged },
      ]}
    />
  );
}
