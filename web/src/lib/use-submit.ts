import { useCallback, useRef, useState } from 'preact/hooks';

export interface Submit<A extends unknown[], R> {
  /** Runs the action; resolves to its result, or undefined when it failed (see error). */
  submit: (...args: A) => Promise<R | undefined>;
  busy: boolean;
  error: unknown;
  /** Clears the error (e.g. when the form is edited or closed). */
  reset: () => void;
  setError: (error: unknown) => void;
}

export interface SubmitOptions {
  /**
   * Takes a failure the form shows in its own way (field errors from a 400's issues, a 409, a
   * 413, a status line) and answers what is left to show as `error`: the failure itself, another
   * value, or null when the form has shown all of it. Without it every failure is the error.
   */
  onError?: (error: unknown) => unknown;
}

const runWork = (work: () => Promise<void>) => work();

/**
 * The busy flag and error of a form or button that sends something to the server. Without an
 * action, submit takes the work to run: `await submit(async () => onSaved(await api.save(form)))`.
 */
export function useSubmit(options?: SubmitOptions): Submit<[work: () => Promise<void>], void>;
export function useSubmit<A extends unknown[], R>(action: (...args: A) => Promise<R>, options?: SubmitOptions): Submit<A, R>;
export function useSubmit<A extends unknown[], R>(
  actionOrOptions?: ((...args: A) => Promise<R>) | SubmitOptions,
  maybeOptions?: SubmitOptions,
): Submit<A, R> {
  const action = typeof actionOrOptions === 'function' ? actionOrOptions : undefined;
  const options = typeof actionOrOptions === 'function' ? maybeOptions : actionOrOptions;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const actionRef = useRef((action ?? runWork) as (...args: A) => Promise<R>);
  actionRef.current = (action ?? runWork) as (...args: A) => Promise<R>;
  // The latest mapping, so a submit started before a re-render still maps with the form's current state.
  const onErrorRef = useRef(options?.onError);
  onErrorRef.current = options?.onError;
  const submit = useCallback(async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await actionRef.current(...args);
    } catch (err) {
      const onError = onErrorRef.current;
      setError(onError ? (onError(err) ?? null) : err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const reset = useCallback(() => setError(null), []);
  return { submit, busy, error, reset, setError };
}
