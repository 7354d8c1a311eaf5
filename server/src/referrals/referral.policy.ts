import { requireRole, type Actor } from '../common/access.js';
import { REFERRAL_COUNT_THRESHOLD } from '../contracts/referrals.js';

/**
 * Who refers a household to local help, and what the counts may show. Which household a
 * referral may name is the source's own rule, asked by the service: a watch alert's
 * (`mayActOnAlert`, after the household's consent to share) or a drill visit's
 * (`drillPolicy.canHandleTask`: its 班長, volunteers once escalated, officers).
 */
export const referralPolicy = {
  /** Those who visit homes needing help: 班長, volunteers, 民生委員 and officers. */
  refers(actor: Actor): void {
    requireRole(actor.officer || actor.captainOf.length > 0 || actor.volunteer || actor.welfareCommissioner, '班長, volunteers and officers');
  },

  /** A referral follows a visit that found help was needed. */
  followsNeed(source: { kind: 'watch_alert'; status: string; outcome: string | null } | { kind: 'drill_visit'; status: string | null }): boolean {
    if (source.kind === 'watch_alert') return source.status === 'resolved' && source.outcome === 'needs_help';
    return source.status === 'needs_help' || source.status === 'injured';
  },

  /** A household's referrals, all of them: officers and the household's 班長 (others see only those they made). */
  seesHouseholdReferrals(actor: Actor, household: { blockId: string }): boolean {
    return actor.officer || actor.captainOf.includes(household.blockId);
  },

  /** The counts (never names) are the officers'. */
  seesCounts(actor: Actor): void {
    requireRole(actor.officer, 'officers');
  },

  /**
   * A count as shown: 1 or 2 becomes null ("1–2"), so that a 班 of four households cannot
   * be read back to a home. Counts are households (once each however many referrals or
   * services). Only the two margins (per worry, per 班) are given, never their crossing.
   */
  shownCount(count: number): number | null {
    return count >= REFERRAL_COUNT_THRESHOLD ? count : null;
  },

  /**
   * One month's 班 margin as shown. Its cells sum to the month's households, and that total
   * can be read off the worry margin (a worry every household of the month was referred for
   * counts them all), so a single suppressed cell would be the total minus the shown ones:
   * when exactly one cell is suppressed, the smallest shown one is suppressed too (secondary
   * suppression), leaving only the sum of two. The worry margin needs no second suppression:
   * a household counts under each of its worries, so its cells sum to nothing.
   */
  shownBlockCounts(counts: readonly number[]): (number | null)[] {
    const shown = counts.map((n) => referralPolicy.shownCount(n));
    if (shown.filter((n) => n === null).length !== 1) return shown;
    let smallest = -1;
    shown.forEach((n, i) => { if (n !== null && (smallest < 0 || n < shown[smallest]!)) smallest = i; });
    if (smallest >= 0) shown[smallest] = null;
    return shown;
  },
};
