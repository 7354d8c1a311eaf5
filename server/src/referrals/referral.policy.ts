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

  /** The counts (never names) are the officers'. */
  seesCounts(actor: Actor): void {
    requireRole(actor.officer, 'officers');
  },

  /**
   * A count as shown: 1 or 2 becomes null ("1–2"), so that a 班 of four households cannot
   * be read back to a home. Only the two margins (per worry, per 班) are given, never their
   * crossing nor a grand total, so a suppressed cell cannot be recovered by subtraction.
   */
  shownCount(count: number): number | null {
    return count >= REFERRAL_COUNT_THRESHOLD ? count : null;
  },
};
