import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { t } from '../lib/i18n.js';
import { ErrorAlert } from './alerts.js';
import { DataTable } from './data-table.js';
import { FormField } from './form-field.js';

/**
 * The upload form of a CSV import (the roster's, the shelters'): the file, "check" (a preview
 * that writes nothing) and "import" (enabled once a preview found no errors).
 */
export function CsvFileForm({
  testid,
  inputId,
  hint,
  accept,
  file,
  busy,
  canCommit,
  error,
  onFile,
  onPreview,
  onCommit,
  children,
}: {
  testid: string;
  inputId: string;
  hint: string;
  accept: string;
  file: File | null;
  busy: 'preview' | 'commit' | null;
  canCommit: boolean;
  error: unknown;
  onFile: (file: File | null) => void;
  onPreview: () => void;
  onCommit: () => void;
  children?: ComponentChildren;
}) {
  return (
    <form
      class="card form"
      data-testid={testid}
      onSubmit={(event) => {
        event.preventDefault();
        onPreview();
      }}
    >
      <FormField id={inputId} label={t('import.file')} hint={hint} messages={[]}>
        {(control) => <input {...control} type="file" accept={accept} onChange={(event) => onFile(event.currentTarget.files?.[0] ?? null)} />}
      </FormField>
      <ErrorAlert error={error} />
      <div class="actions">
        <button type="submit" class="secondary" disabled={!file || busy !== null}>
          {busy === 'preview' ? t('import.checking') : t('import.preview')}
        </button>
        <button type="button" class="primary" disabled={!canCommit} onClick={onCommit}>
          {busy === 'commit' ? t('import.importing') : t('import.commit')}
        </button>
      </div>
      {children}
    </form>
  );
}

/** A refused file's errors, by line and column (`testid`-error on each row). */
export function ImportErrors({ errors, testid }: { errors: { line: number; column?: string; message: string }[]; testid: string }) {
  return (
    <>
      <div role="alert" class="alert alert-error">
        {t('import.hasErrors', { count: errors.length })}
      </div>
      <DataTable
        testid={`${testid}s`}
        rows={errors}
        rowKey={(_, i) => i}
        rowProps={() => ({ 'data-testid': testid })}
        columns={[
          { label: t('import.line'), cell: (issue) => issue.line },
          { label: t('import.column'), cell: (issue) => issue.column ?? '—' },
          { label: t('import.message'), cell: (issue) => issue.message },
        ]}
      />
    </>
  );
}

const MAX_BYTES = 5 * 1024 * 1024;

/**
 * The state of a CSV import page: the file, its preview (what a commit would do, or its
 * errors), the committed result, and `form`, the props for <CsvFileForm>.
 */
export function useCsvImport<R extends { committed: boolean; errors: unknown[] }>(send: (file: File, mode: 'preview' | 'commit') => Promise<R>) {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<R | null>(null);
  const [committed, setCommitted] = useState<R | null>(null);
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
      const result = await send(file, mode);
      if (result.committed) {
        setCommitted(result);
        setPreview(null);
      } else {
        // A preview, or the server refused the commit (the file has errors after all): show it.
        setPreview(result);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return {
    preview,
    committed,
    form: {
      file, busy, error,
      canCommit: !!file && !!preview && preview.errors.length === 0 && busy === null,
      onFile: (next: File | null) => {
        setFile(next);
        setPreview(null);
        setCommitted(null);
        setError(null);
      },
      onPreview: () => void run('preview'),
      onCommit: () => void run('commit'),
    },
  };
}
