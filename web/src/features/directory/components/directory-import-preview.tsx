import type { DirectoryImportResult } from '../../../../../server/src/contracts/directory-import.js';
import { t } from '../../../lib/i18n.js';
import { ImportErrors } from '../../../ui/csv-file-form.js';
import { DataTable } from '../../../ui/data-table.js';
import { Facts } from '../../../ui/facts.js';

const encodingLabels: Record<DirectoryImportResult['encoding'], string> = { 'utf-8': 'UTF-8', shift_jis: 'Shift_JIS', 'utf-16le': 'UTF-16', 'utf-16be': 'UTF-16 BE' };

/** What an import would do: the counts, the rows kept as drafts (by line), then each row or the file's errors. */
export function DirectoryImportPreview({ preview }: { preview: DirectoryImportResult }) {
  return (
    <section class="section" aria-labelledby="directory-preview-heading">
      <h2 id="directory-preview-heading">{t('import.previewTitle')}</h2>
      <div class="card" data-testid="directory-import-summary">
        <Facts
          facts={[
            { label: t('import.rows'), value: preview.rows },
            { label: t('import.encoding'), value: encodingLabels[preview.encoding] },
            { label: t('import.toCreate'), value: preview.summary.created },
            { label: t('import.toUpdate'), value: preview.summary.updated },
            { label: t('import.unchanged'), value: preview.summary.unchanged },
            { label: t('directory.csv.unpublished'), value: preview.summary.unpublished },
          ]}
        />
      </div>
      {preview.errors.length > 0 ? (
        <ImportErrors errors={preview.errors} testid="directory-import-error" />
      ) : (
        <>
          {preview.warnings.length > 0 && (
            <div class="stack" data-testid="directory-import-warnings">
              <div role="status" class="alert alert-warning">{t('directory.csv.drafts', { count: preview.warnings.length })}</div>
              <ul>{preview.warnings.map((w) => <li key={w.line}>{t('directory.csv.draftLine', { line: w.line })}</li>)}</ul>
            </div>
          )}
          <DataTable
            testid="directory-import-rows"
            rows={preview.items}
            rowKey={(row) => row.line}
            columns={[
              { label: t('import.line'), cell: (row) => row.line },
              { label: t('directory.form.name'), rowHeader: true, cell: (row) => row.name },
              { label: t('directory.form.organisation'), cell: (row) => row.organisation },
              { label: t('directory.form.worries'), cell: (row) => row.worries.map((w) => t(`directory.worry.${w}`)).join('・') },
              { label: t('directory.csv.status'), cell: (row) => (row.status === 'published' && !row.current ? t('directory.status.stale') : t(`directory.status.${row.status}`)) },
              { label: t('shelters.import.change'), cell: (row) => t(`shelters.import.changes.${row.change}`) },
            ]}
          />
        </>
      )}
    </section>
  );
}
