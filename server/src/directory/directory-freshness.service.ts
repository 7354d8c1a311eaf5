import { DEFAULT_TIME_ZONE, localDate } from '../common/local-time.js';
import type { ServiceContext } from '../common/service-context.js';
import { inTransaction } from '../platform/db/transaction.js';
import { directoryAudit } from './directory-accounts.repository.js';
import { REMIND_DAYS } from '../contracts/directory.js';
import { hideStale, markReminded, markStale } from './directory-freshness.repository.js';

/** Months a stale entry waits for its organisation's reconfirmation before it is hidden. */
export const GRACE_MONTHS = 1;

/**
 * The daily freshness pass, in the deployment's time zone: an entry not confirmed within its
 * reconfirm period becomes stale (search already leaves it out: it is never shown as current;
 * its organisation and editors see 要確認 and reconfirm with one button), and one still stale
 * a grace period later is hidden. From REMIND_DAYS before its reconfirm date an entry is
 * reminded of, once per date (the marker and its audit row in this one transaction: a re-run
 * reminds no one twice); the organisation's page and the editors' list show it as due soon.
 * Idempotent; each marking audited.
 */
export async function freshnessPass(ctx: Pick<ServiceContext, 'db' | 'log'>, now = new Date()) {
  const today = localDate(now, DEFAULT_TIME_ZONE);
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const stale = await markStale(tx.db, today);
    const hidden = await hideStale(tx.db, today, GRACE_MONTHS);
    for (const id of stale) await directoryAudit(tx.db, { action: 'directory.service.stale', subject: id, detail: { on: today } });
    const reminded = await markReminded(tx.db, today, REMIND_DAYS);
    for (const r of reminded) await directoryAudit(tx.db, { action: 'directory.service.remind', subject: r.id, detail: { on: today, confirmBy: r.confirm_by } });
    for (const id of hidden) await directoryAudit(tx.db, { action: 'directory.service.hide_stale', subject: id, detail: { on: today } });
    return { stale: stale.length, hidden: hidden.length, reminded: reminded.length };
  });
}
