/**
 * Fan-out to every household of a drill or a circular, in durable pieces. One job walks the
 * households in pages ordered by id, from the cursor it was given, for about a time budget;
 * then it enqueues its continuation from where it stopped and ends. So no job runs for
 * minutes (each can have a short expiry, and a dead worker's piece comes back quickly), and
 * a piece that runs twice re-sends only its own pages. Sending is a reminder of stored
 * state (the question, the circular), so a repeat is harmless and a loss is not allowed.
 */
export const FAN_OUT_PAGE = 250;
export const FAN_OUT_BUDGET_MS = 15_000;

export async function fanOutPages(options: {
  /** Where this piece starts: after this household id (null: from the first). */
  after: string | null;
  /** The next page of household ids after a cursor, in id order. */
  page: (after: string | null, limit: number) => Promise<string[]>;
  /** Sends to one page. */
  send: (householdIds: string[]) => Promise<void>;
  /** Enqueues the piece that carries on after this household id. */
  carryOn: (after: string) => Promise<unknown>;
  pageSize?: number;
  budgetMs?: number;
}): Promise<{ households: number; carriedOn: boolean }> {
  const size = options.pageSize ?? FAN_OUT_PAGE;
  const began = Date.now();
  let after = options.after;
  let households = 0;
  for (;;) {
    const ids = await options.page(after, size);
    if (ids.length) await options.send(ids);
    households += ids.length;
    if (ids.length < size) return { households, carriedOn: false };
    after = ids.at(-1)!;
    if (Date.now() - began >= (options.budgetMs ?? FAN_OUT_BUDGET_MS)) {
      await options.carryOn(after);
      return { households, carriedOn: true };
    }
  }
}
