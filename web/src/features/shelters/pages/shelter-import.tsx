import type { ShelterImportResult } from '../../../../../server/src/contracts/shelters.js';
import { api } from '../../../lib/api.js';
import { Notice } from '../../../ui/alerts.js';
import { DataTable } from '../../../ui/data-table.js';
import { Facts } from '../../../ui/facts.js';
import { CsvFileForm, ImportErrors, useCsvImport } from '../../../ui/csv-file-form.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { Hazards } from '../components/hazards.js';

const encodingLabels: Record<ShelterImportResult['encoding'], string> = { 'utf-8': 'UTF-8', shift_jis: 'Shift_JIS', 'utf-16le': 'UTF-16', 'utf-16be': 'UTF-16 BE' };

/** /shelters/import (officers): the GSI or municipal CSV, previewed (errors by line), then saved. */
export function ShelterImportPage() {
  useTitle(t('shelters.import.title'));
  const { preview, committed, form } = useCsvImport((file, mode) => api.importShelters(file, mode));

  return (
    <div class="stack">
      <PageHeading>{t('shelters.import.title')}</PageHeading>
      <p>{t('shelters.import.intro')}</p>
      <CsvFileForm {...form} testid="shelter-import-form" inputId="shelter-file" hint={t('shelters.import.fileHint')} accept=".csv,text/csv" />

      {committed && (
        <Notice testid="shelter-import-success">
          <p>{t('shelters.import.success', { ...committed.summary })}</p>
          <p>
            <Link href="/shelters">{t('shelters.import.toList')}</Link>
          </p>
        </Notice>
      )}

      {preview && (
        <section class="section" aria-labelledby="shelter-preview-heading">
          <h2 id="shelter-preview-heading">{t('import.previewTitle')}</h2>
          <div class="card" data-testid="shelter-import-summary">
            <Facts
              facts={[
                { label: t('import.rows'), value: preview.rows },
                { label: t('import.encoding'), value: encodingLabels[preview.encoding] },
                { label: t('shelters.import.format'), value: preview.format ? t(`shelters.import.formats.${preview.format}`) : '—' },
                { label: t('import.toCreate'), value: preview.summary.created },
                { label: t('import.toUpdate'), value: preview.summary.updated },
                { label: t('import.unchanged'), value: preview.summary.unchanged },
                { label: t('shelters.listed'), value: preview.summary.listed },
              ]}
            />
          </div>
          {preview.errors.length > 0 ? (
            <ImportErrors errors={preview.errors} testid="shelter-import-error" />
          ) : (
            <DataTable
              testid="shelter-import-rows"
              rows={preview.items}
              rowKey={(row) => row.sourceId}
              columns={[
                { label: t('import.line'), cell: (row) => row.line },
                { label: t('shelters.name'), rowHeader: true, cell: (row) => row.name },
                { label: t('shelters.address'), cell: (row) => row.address },
                { label: t('shelters.hazardsLabel'), cell: (row) => <Hazards hazards={row.hazards} /> },
                { label: t('shelters.listed'), cell: (row) => (row.listed ? '✓' : '—') },
                { label: t('shelters.import.change'), cell: (row) => t(`shelters.import.changes.${row.change}`) },
              ]}
            />
          )}
        </section>
      )}
    </div>
  );
}
