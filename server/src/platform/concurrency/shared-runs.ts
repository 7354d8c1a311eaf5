/**
 * One computation per key at a time, shared: a call joins the next run that has not started
 * yet, or queues one behind the run under way — never a run that started before the call, so
 * its result holds everything committed before the request came. Twenty officers opening the
 * dashboard at once (or refetching after the same live event) cost at most two runs, not twenty.
 */
export class SharedRuns {
  private readonly runs = new Map<string, { running: Promise<unknown> | null; waiting: Promise<unknown> | null }>();

  run<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const slot = this.runs.get(key) ?? { running: null, waiting: null };
    this.runs.set(key, slot);
    if (slot.waiting) return slot.waiting as Promise<T>;
    const previous = slot.running;
    const self: { run?: Promise<T> } = {};
    self.run = (async () => {
      // Always an await, so that this runs after `slot.waiting = self.run` below.
      await previous?.catch(() => undefined);
      slot.waiting = null;
      slot.running = self.run!;
      try {
        return await compute();
      } finally {
        if (slot.running === self.run) slot.running = null;
        if (!slot.running && !slot.waiting) this.runs.delete(key);
      }
    })();
    slot.waiting = self.run;
    return self.run;
  }
}
