import type { ServiceContext } from '../common/service-context.js';
import type { AlertTier } from './watch.tables.js';
import { inTransaction, type Tx } from '../platform/db/transaction.js';
import * as alerts from './alert.repository.js';
import { announce } from './alert.service.js';
import { findSettings, insertDefaultSettings } from './watch.repository.js';
import { TIER_ORDER, tierIndex } from './watch.policy.js';

/** How an alert climbs: the tiers of a silent home, one durable job each; a help press, all at once. */

/**
 * Runs a step in the caller's unit of work when it has one (device ingest commits a whole
 * batch), or in a transaction of its own.
 */
function unitOfWork<T>(ctx: ServiceContext, tx: Tx | undefined, work: (tx: Tx) => Promise<T>): Promise<T> {
  return tx ? work(tx) : inTransaction(ctx.db, ctx.log, work);
}

/**
 * One tier step of a silent-home alert, run by a durable job. The tier, its unique
 * (alert, tier) marker and the next tier's job are one transaction, so the step happens
 * once even if two instances run the job, and a crash leaves all of it or none; an alert
 * someone has taken, or that is closed, goes no further. People are told after the commit.
 */
export async function escalate(ctx: ServiceContext, alertId: string, tier: AlertTier) {
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const alert = await alerts.lockAlert(tx.db, alertId);
    if (!alert || alert.status !== 'open') {
      ctx.log.info({ alertId, tier, status: alert?.status ?? 'gone' }, 'watch escalation skipped: the alert is taken, closed or gone');
      return false;
    }
    if (tierIndex(alert.tier) >= tierIndex(tier)) {
      ctx.log.info({ alertId, tier, at: alert.tier }, 'watch escalation skipped: the alert has already reached this tier');
      return false;
    }
    if (!(await alerts.markEscalated(tx.db, alertId, tier))) {
      ctx.log.info({ alertId, tier }, 'watch escalation skipped: already done (its marker is present)');
      return false;
    }
    await alerts.setAlertTier(tx.db, alertId, tier);
    const next = TIER_ORDER[tierIndex(tier) + 1];
    // The resident is asked first, by the scan; escalation jobs are only for the tiers after it.
    if (next && next !== 'resident') {
      const settings = (await findSettings(tx.db, alert.household_id))!;
      await ctx.jobs.send(tx.db, 'watch-escalate', { alertId, tier: next }, { startAfter: new Date(Date.now() + settings.tier_wait_seconds * 1000), singletonKey: `${alertId}:${next}` });
    }
    tx.afterCommit(() => announce(ctx, alertId, true));
    return true;
  });
}

/**
 * 助けて: every tier at once, no waiting (so no next job). The home's rules, the alert and
 * its event are one unit of work (the caller's, when it passes one or when `ctx` is bound to
 * one); everyone is told after the commit.
 */
export async function raiseHelp(ctx: ServiceContext, householdId: string, associationId: string, tx?: Tx) {
  return unitOfWork(ctx, tx, async (tx) => {
    await insertDefaultSettings(tx.db, householdId, associationId);
    const inserted = await alerts.insertAlert(tx.db, { association_id: associationId, household_id: householdId, kind: 'help', tier: 'officers' });
    if (!inserted) {
      ctx.log.info({ householdId }, 'help press skipped: a help alert is already live for the home');
      return undefined;
    }
    await alerts.insertAlertEvent(tx.db, { alert_id: inserted.id, what: 'help_pressed', tier: 'officers', person_id: null });
    tx.afterCommit(() => announce(ctx, inserted.id, true));
    return inserted.id;
  });
}
