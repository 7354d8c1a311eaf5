import { useState } from 'preact/hooks';
import type { ShelterImportResult } from '../../../../../server/src/contracts/shelters.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { DataTable } from '../../../ui/data-table.js';
import { Facts } from '../../../ui/facts.js';
import { FormField } from '../../../ui/form-field.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { Hazards } from '../components/hazards.js';

const MAX_BYTES = 5 * 1024 * 1024;
const encodingLabels: Record<ShelterImportResult['encoding'], string> = { 'utf-8': 'UTF-8', shift_jis: 'Shift_JIS', 'utf-16le': 'UTF-16', 'utf-16be': 'UTF-16 BE' };

/** /shelters/import (officers): the GSI or municipal CSV, previewed (errors by line), then saved. */
export function ShelterImportPage() {
  useTitle(t('shelters.import.title'));
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ShelterImportResult | null>(null);
  const [committed, setCommitted] = useState<ShelterImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'preview' | 'commit' | null>(null);

  async function run(mode: 'preview' | 'commit') {
    setError(null);
    if (!file) return setError(t('import.errors.noFile'));
    if (file.size > MAX_BYTES) return setError(t('errors.tooLarge'));
    setBusy(mode);
    if (mode === 'preview') setCommitted(null);
    try {
      const result = await api.importShelters(file, mode);
      if (result.committed) {
        setCommitted(result);
        setPreview(null);
      } else setPreview(result);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div class="stack">
      <PageHeading>{t('shelters.import.title')}</PageHeading>
      <p>{t('shelters.import.intro')}</p>
      <form
        class="card form"
        data-testid="shelter-import-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run('preview');
        }}
      >
        <FormField id="shelter-file" label={t('import.file')} hint={t('shelters.import.fileHint')} messages={[]}>
          {(control) => (
            <input
              {...control}
              type="file"
              accept=".csv,text/csv"
              onChange={(event) => {
                setFile(event.currentTarget.files?.[0] ?? null);
                setPreview(null);
                setCommitted(null);
              }}
            />
          )}
        </FormField>
        <ErrorAlert error={error} />
        <div class="actions">
          <button type="submit" class="secondary" disabled={!file || busy !== null}>
            {busy === 'preview' ? t('import.checking') : t('import.preview')}
          </button>
          <button type="button" class="primary" disabled={!file || !preview || preview.errors.length > 0 || busy !== null} onClick={() => void run('commit')}>
            {busy === 'commit' ? t('import.importing') : t('import.commit')}
          </button>
        </div>
      </form>

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
            <>
              <div role="alert" class="alert alert-error">
                {t('import.hasErrors', { count: preview.errors.length })}
              </div>
              <DataTable
                testid="shelter-import-errors"
                rows={preview.errors}
                rowKey={(_, i) => i}
                rowProps={() => ({ 'data-testid': 'shelter-import-error' })}
                columns={[
                  { label: t('import.line'), cell: (issue) => issue.line },
                  { label: t('import.column'), cell: (issue) => issue.column ?? '—' },
                  { label: t('import.message'), cell: (issue) => issue.message },
                ]}
              />
            </>
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
