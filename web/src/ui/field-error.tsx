import { ApiError } from '../lib/api.js';

// ── Field errors from a 400 answer ──────────────────────────────────────────────────────

export type FieldErrors = Record<string, string[]>;

/** Collects error.field and error.issues[].field of a validation error by field path. */
export function fieldErrorsOf(error: unknown): FieldErrors {
  const result: FieldErrors = {};
  if (!(error instanceof ApiError) || error.status !== 400) return result;
  const add = (field: string, message: string) => {
    (result[field] ??= []).push(message);
  };
  for (const issue of error.issues) if (issue.field) add(issue.field, issue.message);
  if (error.field && !result[error.field]) add(error.field, error.message);
  return result;
}

/** The messages for a field and anything under it ("question.options" also takes "question.options.1"). */
export function errorsFor(errors: FieldErrors, ...fields: string[]): string[] {
  const messages: string[] = [];
  for (const [key, list] of Object.entries(errors)) {
    if (fields.some((field) => key === field || key.startsWith(`${field}.`) || key.startsWith(`${field}[`))) messages.push(...list);
  }
  return messages;
}

export function FieldError({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <p class="field-error" id={id} data-testid="field-error">
      {messages.join(' / ')}
    </p>
  );
}
