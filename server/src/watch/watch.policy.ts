import type { Actor } from '../common/access.js';
import type { AlertKind, AlertTier } from './watch.tables.js';
import type { AssignedRole } from '../roster/roster.tables.js';

/**
 * Who may see and act on a household's watch data (見守り): pure functions of the actor, the
 * household's ids and its consent, called the same way from every door (routes, jobs,
 * uplinks). The queries take their row filter from the same scope (`watchScope`, compiled to
 * SQL by watch.repository's `visibleHomes`), so a list and a single read cannot disagree.
 */

/** The order in which an unanswered silent-home alert reaches people. */
export const TIER_ORDER: readonly AlertTier[] = ['resident', 'family_captain', 'volunteers', 'officers'];

export const tierIndex = (tier: AlertTier) => TIER_ORDER.indexOf(tier);

/** What a household lets others see of its watch data. */
export interface Consent {
  share_with_family: boolean;
  share_with_captain: boolean;
  share_with_volunteers: boolean;
}
/** A home without rules yet shares as the defaults do (family and 班長, not volunteers). */
export const DEFAULT_CONSENT: Consent = { share_with_family: true, share_with_captain: true, share_with_volunteers: false };

/**
 * The homes whose watch data an actor may see, as data: officers all of them; a member its
 * own home; family, 班長 and volunteers the homes of theirs that share with them (the
 * consent column each one needs is named beside it).
 */
export interface WatchScope {
  officer: boolean;
  household: string | null;
  /** Homes watched as family: each only if it shares with family. */
  family: readonly string[];
  /** Blocks (班) captained: their homes only if they share with their 班長. */
  captainOf: readonly string[];
  /** A volunteer or welfare commissioner: homes that share with volunteers. */
  volunteer: boolean;
}

export function watchScope(actor: Actor): WatchScope {
  return {
    officer: actor.officer,
    household: actor.householdId,
    family: actor.watcherOf,
    captainOf: actor.captainOf,
    volunteer: actor.volunteer || actor.welfareCommissioner,
  };
}

/** What an actor is to a household's watch data, after the household's consent. */
export interface Audience {
  family: boolean;
  captain: boolean;
  volunteer: boolean;
  officer: boolean;
  household: boolean;
}

/**
 * The rule itself, on what is already loaded (no queries, so lists can apply it per row): its
 * own members and the officers always; family, its 班長 and volunteers only as it allows.
 */
export function audienceFor(actor: Actor, household: { id: string; blockId: string }, consent: Consent | null): Audience {
  const scope = watchScope(actor);
  const c = consent ?? DEFAULT_CONSENT;
  return {
    household: scope.household === household.id,
    officer: scope.officer,
    family: scope.family.includes(household.id) && c.share_with_family,
    captain: scope.captainOf.includes(household.blockId) && c.share_with_captain,
    volunteer: scope.volunteer && c.share_with_volunteers,
  };
}

export const seesWatch = (a: Audience) => a.household || a.officer || a.family || a.captain || a.volunteer;

/** The tier from which an actor is told about an alert (officers see every one, as it happens). */
export function seesAlertAt(a: Audience): AlertTier {
  if (a.officer || a.household) return 'resident';
  if (a.family || a.captain) return 'family_captain';
  return 'volunteers';
}

/** Device-offline alerts are for officers only (they fix speakers, not residents). */
export const seesAlertKind = (kind: AlertKind, a: Pick<Audience, 'officer'>) => kind !== 'device_offline' || a.officer;

/** Whether an alert has reached an actor: a help alert at once, others from their tier on. */
export function alertReaches(alert: { kind: AlertKind; tier: AlertTier }, audience: Audience): boolean {
  if (!seesWatch(audience) || !seesAlertKind(alert.kind, audience)) return false;
  return alert.kind === 'help' || tierIndex(alert.tier) >= tierIndex(seesAlertAt(audience));
}

/** Taking or closing an alert: the household itself is told, but acting on its own alert is for the people around it. */
export const mayActOnAlert = (alert: { kind: AlertKind; tier: AlertTier }, audience: Audience) => !audience.household && alertReaches(alert, audience);

/** A home's watch rules: the household, its family and officers. */
export const mayEditSettings = (a: Audience) => a.officer || a.household || a.family;

/** Who may see its watch data: the household decides (or an officer on its behalf). */
export const mayEditConsent = (a: Audience) => a.household || a.officer;

/** Away periods (travel, hospital): the household, its family and officers. */
export const mayManageAway = (a: Audience) => a.household || a.family || a.officer;

/** The watch access log: officers. */
export const mayReadAccessLog = (actor: Actor) => actor.officer;

/**
 * Who is told about an alert that has reached a tier, after the household's consent: the
 * roles whose holders (of this home, of its 班, or of the association) are told, and whether
 * the home's 班 room and the volunteers' room hear it. Officers' and the household's own
 * rooms always do.
 */
export function toldAt(tier: AlertTier, consent: Consent): { roles: AssignedRole[]; blockRoom: boolean; volunteersRoom: boolean } {
  const reached = tierIndex(tier);
  const roles: AssignedRole[] = [];
  let blockRoom = false;
  let volunteersRoom = false;
  if (reached >= 1) {
    if (consent.share_with_family) roles.push('family_watcher');
    if (consent.share_with_captain) {
      roles.push('captain');
      blockRoom = true;
    }
  }
  if (reached >= 2 && consent.share_with_volunteers) {
    roles.push('volunteer', 'welfare_commissioner');
    volunteersRoom = true;
  }
  if (reached >= 3) roles.push('officer');
  return { roles, blockRoom, volunteersRoom };
}
