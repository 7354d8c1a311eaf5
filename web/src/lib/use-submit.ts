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

const runWork = (work: () => Promise<void>) => work();

/**
 * The busy flag and error of a form or button that sends something to the server. Without an
 * action, submit takes the work to run: `await submit(async () => onSaved(await api.save(form)))`.
 */
export function useSubmit(): Submit<[work: () => Promise<void>], void>;
export function useSubmit<A extends unknown[], R>(action: (...args: A) => Promise<R>): Submit<A, R>;
export function useSubmit<A extends unknown[], R>(action?: (...args: A) => Promise<R>): Submit<A, R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const actionRef = useRef((action ?? runWork) as (...args: A) => Promise<R>);
  actionRef.current = (action ?? runWork) as (...args: A) => Promise<R>;
  const submit = useCallback(async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await actionRef.current(...args);
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const reset = useCallback(() => setError(null), []);
  return { submit, busy, error, reset, setError };
}
