import type { ServiceContext } from '../common/service-context.js';
import { inTransaction } from '../platform/db/transaction.js';
import { REMIND_DAYS } from '../contracts/directory.js';
import { hideStale, markReminded, markStale } from './directory-freshness.repository.js';

/** Months a stale entry waits for its organisation's reconfirmation before it is hidden. */
export const GRACE_MONTHS = 1;

/**
 * The daily freshness pass, each entry on its own day (the time zone of the association that
 * added it; a city-wide entry's, the deployment's default): an entry not confirmed within its
 * reconfirm period becomes stale (search already leaves it out: it is never shown as current;
 * its organisation and editors see 要確認 and reconfirm with one button), and one still stale
 * a grace period later is hidden. From REMIND_DAYS before its reconfirm date an entry is
 * reminded of, once per date (the marker and its audit row in this one transaction: a re-run
 * reminds no one twice); the organisation's page and the editors' list show it as due soon.
 * Idempotent; each marking audited (in the statement that marks it).
 */
export async function freshnessPass(ctx: Pick<ServiceContext, 'db' | 'log'>, now = new Date()) {
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const stale = await markStale(tx.db, now);
    const hidden = await hideStale(tx.db, now, GRACE_MONTHS);
    const reminded = await markReminded(tx.db, now, REMIND_DAYS);
    return { stale, hidden, reminded: reminded.length };
  });
}
