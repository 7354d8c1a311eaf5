import { api } from '../../../lib/api.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { Notice } from '../../../ui/alerts.js';
import { CsvFileForm, useCsvImport } from '../../../ui/csv-file-form.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { DirectoryExport } from '../components/directory-import-export.js';
import { DirectoryImportPreview } from '../components/directory-import-preview.js';

/**
 * /directory/import (officers, the directory's editors): a city's list or the association's own
 * spreadsheet as CSV (Shift_JIS or UTF-8) — checked first (errors by line and column, rows
 * without a contact kept as drafts), then saved; and the association's entries downloaded in
 * the same format, to edit in Excel and import back.
 */
export function DirectoryImportPage() {
  useTitle(t('directory.csv.title'));
  const { preview, committed, form } = useCsvImport((file, mode) => api.importDirectory(file, mode));
  return (
    <div class="stack">
      <PageHeading>{t('directory.csv.title')}</PageHeading>
      <p>{t('directory.csv.intro')}</p>
      <details class="card">
        <summary>{t('directory.csv.columnsTitle')}</summary>
        <p>{t('directory.csv.columns')}</p>
        <p class="hint">{t('directory.csv.columnsHint')}</p>
      </details>
      <CsvFileForm {...form} testid="directory-import-form" inputId="directory-file" hint={t('directory.csv.fileHint')} accept=".csv,text/csv" />
      {committed && (
        <Notice testid="directory-import-success">
          <p>{t('directory.csv.success', { ...committed.summary })}</p>
          <p>
            <Link href="/directory">{t('directory.csv.toList')}</Link>
          </p>
        </Notice>
      )}
      {preview && <DirectoryImportPreview preview={preview} />}
      <DirectoryExport />
    </div>
  );
}
