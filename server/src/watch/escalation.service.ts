import type { ServiceContext } from '../common/service-context.js';
import type { AlertTier } from './watch.tables.js';
import { inTransaction, type Tx } from '../platform/db/transaction.js';
import * as alerts from './alert.repository.js';
import { announce } from './alert.service.js';
import { findSettings, insertDefaultSettings } from './watch.repository.js';
import { TIER_ORDER, tierIndex } from './watch.policy.js';
import { blocksWithReachableCaptain, tierIsReachable } from '../common/reachability.repository.js';
import type { Db } from '../platform/db/database.js';

/**
 * Why nobody at this tier can be reached for this home (null: someone can): no family
 * watcher and no 班長 with a login or push that the home shares with; volunteers not shared
 * with, or none of them reachable. The officers always can.
 */
async function nobodyReachableAt(db: Db, home: { association_id: string; household_id: string; block_id: string }, tier: AlertTier): Promise<string | null> {
  const consent = (await findSettings(db, home.household_id))!;
  if (tier === 'family_captain') {
    const family = consent.share_with_family && (await alerts.familyCanBeReached(db, home.household_id));
    const captain = consent.share_with_captain && (await blocksWithReachableCaptain(db, home.association_id, [home.block_id])).size > 0;
    return family || captain ? null : 'no_family_or_captain';
  }
  if (tier === 'volunteers') {
    if (!consent.share_with_volunteers) return 'not_shared_with_volunteers';
    return (await tierIsReachable(db, home.association_id, 'volunteers')) ? null : 'no_volunteer';
  }
  return null;
}

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
 * someone has taken, or that is closed, goes no further. A tier with nobody who can be
 * reached (common/reachability.repository.ts) is passed at once to the next, in the same
 * transaction, with a 'skipped' event saying why. People are told after the commit.
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
    // A tier nobody can be reached in is passed at once, with an event saying why.
    const home = await alerts.alertToAnnounce(tx.db, alertId);
    let reached = tier;
    for (let why = await nobodyReachableAt(tx.db, home, reached); why; why = await nobodyReachableAt(tx.db, home, reached)) {
      await alerts.insertAlertEvent(tx.db, { alert_id: alertId, what: 'skipped', tier: reached, person_id: null, detail: why });
      reached = TIER_ORDER[tierIndex(reached) + 1]!;
      await alerts.markEscalated(tx.db, alertId, reached);
      ctx.log.info({ alertId, skipped: tier, to: reached, why }, 'watch escalation: nobody at the tier can be reached, went on at once');
    }
    await alerts.setAlertTier(tx.db, alertId, reached);
    const next = TIER_ORDER[tierIndex(reached) + 1];
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
