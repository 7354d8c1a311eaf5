import type { RosterImportResult } from '../../../../../server/src/contracts/roster.js';
import { api } from '../../../lib/api.js';
import { Notice } from '../../../ui/alerts.js';
import { DataTable } from '../../../ui/data-table.js';
import { Facts } from '../../../ui/facts.js';
import { CsvFileForm, ImportErrors, useCsvImport } from '../../../ui/csv-file-form.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';

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
  const { preview, committed, form } = useCsvImport((file, mode) => api.importRoster(file, mode));

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

      <CsvFileForm
        {...form}
        testid="import-form"
        inputId="import-file"
        hint={t('import.fileHint')}
        accept=".csv,.txt,.tsv,text/csv,text/plain,text/tab-separated-values"
      >
        {preview && preview.errors.length > 0 && <p class="hint">{t('import.fixErrors')}</p>}
      </CsvFileForm>

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
              <ImportErrors errors={preview.errors} testid="import-error" />
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
