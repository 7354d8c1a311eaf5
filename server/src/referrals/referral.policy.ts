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
   * One month as shown: the worry margin with 1 or 2 as null, and the 班 margin, or 'withheld'.
   * Both margins count the month's households, so each tells on the other: the 班 cells sum to
   * the month's total, which the worry margin bounds (its largest cell ≤ total ≤ the sum of its
   * cells, every referral naming a worry), and which of the 班 had anyone is told by their rows.
   * So a hidden cell in either margin could be recovered by subtraction from the other (a 班's
   * "1〜2" pinned to 1, a worry's to 2). Hence complementary suppression across both tables, at
   * its simplest: a month with any cell below the threshold, in either margin, shows no 班 at all
   * (withheld: not even which 班 had a referral); a month with none shows both margins whole.
   * referral.policy.spec.ts tries every such subtraction over small generated months.
   */
  shownMonth(worryCounts: readonly number[], blockCounts: readonly number[]): { worries: (number | null)[]; blocks: number[] | 'withheld' } {
    const worries = worryCounts.map((n) => referralPolicy.shownCount(n));
    const small = worries.includes(null) || blockCounts.some((n) => referralPolicy.shownCount(n) === null);
    return { worries, blocks: small ? 'withheld' : [...blockCounts] };
  },
};
