import type { ComponentChildren } from 'preact';
import { ApiError } from '../lib/api.js';
import { errorCodeKey } from '../lib/error-codes.js';
import { currentLanguage, t } from '../lib/i18n.js';

/** A user-facing message for an error thrown by the API client. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('errors.network');
    // The server's message is English: a code the web has words for is shown in the user's language.
    const key = errorCodeKey(error.code);
    if (key) return t(key);
    if (error.status === 401) return t('errors.unauthorized');
    // A city editor whose city is not set yet (directory-city.service cityOf): what to ask for, not "no access".
    if (error.status === 403 && error.code === 'no_city') return t('errors.noCity');
    if (error.status === 403) return t('errors.forbidden');
    if (error.status === 404) return t('errors.notFound');
    if (error.status === 413) return t('errors.tooLarge');
    if (error.status === 429) return t('errors.rateLimited');
    if (error.status >= 500) return t('errors.server');
    // Any other refusal: its English message only to an English reader, else what to do next.
    if (currentLanguage() !== 'en' || !error.message) return t(error.status === 409 ? 'errors.conflict' : error.status >= 400 && error.status < 500 ? 'errors.invalid' : 'errors.unknown');
    return error.message;
  }
  return t('errors.unknown');
}

/** The message for an error: the form's own wording for the statuses it names, else errorMessage. */
export function statusMessage(error: unknown, byStatus: Partial<Record<number, string>>): string {
  return (error instanceof ApiError ? byStatus[error.status] : undefined) ?? errorMessage(error);
}

/** An error as an alert; a string error (a form's own check) is shown as it is. */
export function ErrorAlert({ error, message }: { error?: unknown; message?: string }) {
  if (!error && !message) return null;
  if (typeof error === 'string') message ??= error;
  const issues = error instanceof ApiError ? error.issues : [];
  return (
    <div class="alert alert-error" role="alert">
      <p>{message ?? errorMessage(error)}</p>
      {issues.length > 0 && (
        <ul>
          {issues.map((issue, i) => (
            <li key={i}>
              {issue.field ? `${issue.field}: ` : ''}
              {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ children, testid }: { children: ComponentChildren; testid?: string }) {
  return (
    <div class="alert alert-success" role="status" data-testid={testid}>
      {children}
    </div>
  );
}

export function Loading() {
  return (
    <p class="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

/** A resource's load state: its error as an alert, and "loading" until its first answer. */
export function LoadState({ state }: { state: { error: unknown; loading: boolean; data?: unknown } }) {
  return (
    <>
      {state.error ? <ErrorAlert error={state.error} /> : null}
      {state.loading && !state.data && <Loading />}
    </>
  );
}
