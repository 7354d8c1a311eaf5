import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import { ApiError } from './api-client.js';
import { errorCodeKey } from './error-codes.js';
import { t } from './i18n.js';
import { paren } from './format.js';
import { useSubmit } from './use-submit.js';

/**
 * Forms validated with the contract's own zod schema (server/src/contracts/*): the rules are
 * written once, and a failed check is keyed by the same field path ("question.options") as the
 * server's `issues` on a 400, so both land under the same field.
 */

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
  // A code the web has words for is shown in the user's language, not as the server's English message.
  const key = errorCodeKey(error.code);
  if (error.field && !result[error.field]) add(error.field, key ? t(key) : error.message);
  return result;
}

/** The messages for a field and anything under it ("question.options" also takes "question.options.1"). */
export function errorsFor(errors: FieldErrors, ...fields: string[]): string[] {
  const messages: string[] = [];
  for (const [key, list] of Object.entries(errors)) {
    if (fields.some((field) => isUnder(key, field))) messages.push(...list);
  }
  return messages;
}

/** What a failed check says: the zod issue's code ("too_small", "custom"…) and its (English) message. */
export interface CheckIssue {
  code: string;
  message: string;
}

/** The user's words for a failed check of a field (its contract path); undefined keeps the contract's message. */
export type CheckMessages = (field: string, issue: CheckIssue) => string | undefined;

/** A key names `field` or something under it ("question.options" also takes "question.options.1"). */
export function isUnder(key: string, field: string): boolean {
  return key === field || key.startsWith(`${field}.`) || key.startsWith(`${field}[`);
}

export type Checked<T> = { ok: true; data: T; errors: FieldErrors } | { ok: false; data: null; errors: FieldErrors };

/** Checks values with a contract schema: the parsed data, or one message per field path (the first issue, as the server's first). */
export function validate<S extends z.ZodType>(schema: S, values: z.input<S>, messages?: CheckMessages): Checked<z.output<S>> {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data, errors: {} };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.');
    if (errors[field]) continue;
    errors[field] = [messages?.(field, issue) ?? issue.message];
  }
  return { ok: false, data: null, errors };
}

/** Field errors of both lists; a field the first names keeps the first's messages. */
export function mergeErrors(first: FieldErrors, second: FieldErrors): FieldErrors {
  return { ...second, ...first };
}

/**
 * The server explains in English: put the user's words for the field first and keep the detail in
 * brackets. `label(field)` answers those words for one of `fields` (the known field paths).
 */
export function localiseErrors(errors: FieldErrors, fields: readonly string[], label: (field: string) => string): FieldErrors {
  const result: FieldErrors = {};
  for (const [key, messages] of Object.entries(errors)) {
    const known = fields.find((field) => key === field || key.startsWith(`${field}.`));
    const text = known ? label(known) : '';
    result[key] = messages.map((message) => (text ? `${text}${paren(message)}` : message));
  }
  return result;
}

/** "field: message" for the errors under none of the form's fields (shown in the summary instead). */
export function unmatchedErrors(errors: FieldErrors, fields: readonly string[]): string[] {
  return Object.entries(errors)
    .filter(([key]) => !fields.some((field) => isUnder(key, field)))
    .flatMap(([key, messages]) => messages.map((message) => `${key}: ${message}`));
}

export interface FormOptions {
  /** The user's words for a failed client-side check. */
  messages?: CheckMessages;
  /** The user's words around the server's field errors (e.g. with localiseErrors). */
  localise?: (errors: FieldErrors) => FieldErrors;
}

export interface ZodForm<S extends z.ZodType> {
  /** Field errors by contract path: the client's checks, or the server's on a 400. */
  errors: FieldErrors;
  setErrors: (errors: FieldErrors) => void;
  hasErrors: boolean;
  /** Checks values with the schema (plus `extra`, the form's own rules): the data, or null with the errors shown. */
  check: (values: z.input<S>, extra?: FieldErrors) => z.output<S> | null;
  /** Runs the work with busy set; a 400's issues become field errors, any other failure the `error`. */
  submit: (work: () => Promise<void>) => Promise<void>;
  busy: boolean;
  /** A failure with no field to show it under. */
  error: unknown;
  setError: (error: unknown) => void;
  /** Clears the field errors and the error. */
  reset: () => void;
  /** The messages for fields and anything under them. */
  messagesFor: (...fields: string[]) => string[];
  /** aria-invalid for fields: true when they have errors. */
  invalid: (...fields: string[]) => true | undefined;
  /** aria-describedby: the hint's id and, when the fields have errors, the error's id. */
  describedBy: (hint: string | null, errorId: string, ...fields: string[]) => string | undefined;
  /** The error summary: focused when a check or a submit fails, so a screen reader hears it. */
  summaryRef: { current: HTMLDivElement | null };
}

/** A form checked with the contract schema `schema`, with its busy flag, field errors and error. */
export function useZodForm<S extends z.ZodType>(schema: S, options: FormOptions = {}): ZodForm<S> {
  const [errors, setErrors] = useState<FieldErrors>({});
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const sending = useSubmit({
    onError: (err) => {
      const fields = fieldErrorsOf(err);
      const localise = optionsRef.current.localise;
      setErrors(localise ? localise(fields) : fields);
      return Object.keys(fields).length > 0 ? null : err;
    },
  });
  const summaryRef = useRef<HTMLDivElement>(null);
  const { error, setError, reset: resetError } = sending;
  useEffect(() => {
    if (Object.keys(errors).length > 0 || error) summaryRef.current?.focus();
  }, [errors, error]);

  const check = useCallback(
    (values: z.input<S>, extra: FieldErrors = {}): z.output<S> | null => {
      const checked = validate(schema, values, optionsRef.current.messages);
      const all = mergeErrors(extra, checked.errors);
      setErrors(all);
      setError(null);
      return checked.ok && Object.keys(all).length === 0 ? checked.data : null;
    },
    [schema, setError],
  );
  const send = sending.submit;
  const submit = useCallback(
    async (work: () => Promise<void>) => {
      setErrors({});
      await send(work);
    },
    [send],
  );
  const reset = useCallback(() => {
    setErrors({});
    resetError();
  }, [resetError]);
  const messagesFor = (...fields: string[]) => errorsFor(errors, ...fields);
  return {
    errors,
    setErrors,
    hasErrors: Object.keys(errors).length > 0,
    check,
    submit,
    busy: sending.busy,
    error,
    setError,
    reset,
    messagesFor,
    invalid: (...fields) => (messagesFor(...fields).length > 0 ? true : undefined),
    describedBy: (hint, errorId, ...fields) => [hint, messagesFor(...fields).length > 0 ? errorId : null].filter(Boolean).join(' ') || undefined,
    summaryRef,
  };
}
