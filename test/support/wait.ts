/**
 * Reads until `done` says yes or the time is up, then returns the last reading, so the
 * test's own assertion reports what was actually there. For what happens asynchronously
 * (a job, a broker delivery, a socket event), instead of sleeping a guessed time.
 */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
