import type { Db } from '../platform/db/database.js';
import { HttpError } from '../platform/http/errors.js';
import { requireVisible, type Actor } from '../common/access.js';
import { householdReach, roleHolders, TIER_ROLES } from '../common/reachability.repository.js';
import { associationTimeZone } from '../common/association.repository.js';
import type { BlockReadiness, Preflight, ReachHousehold, Readiness } from '../contracts/readiness.js';
import { registrationSeries } from './readiness.repository.js';
import { blocksOf } from '../common/association.repository.js';
import { readinessPolicy } from './readiness.policy.js';

/**
 * Readiness: for a scope of 班, each household's channels now, each 班's 班長 and the
 * association-wide tiers, with the gaps named. Everything comes from the one rule of who can
 * be reached (common/reachability.repository.ts), in four set-based statements.
 */

/** Registration is shown over the last 12 weeks or months, in the association's time zone. */
const PERIODS = 12;

type Block = { id: string; name: string };
type Holder = { personId: string; name: string; reachable: boolean };
type Tiers = Record<'volunteers' | 'officers', Holder[]>;

/** The facts of a scope (undefined: the whole association), read at once. */
async function assess(db: Db, associationId: string, blocks: Block[], blockIds: readonly string[] | undefined) {
  const [households, holders] = await Promise.all([
    householdReach(db, associationId, blockIds),
    roleHolders(db, associationId, ['captain', 'volunteer', 'welfare_commissioner', 'officer']),
  ]);
  const names = new Map(blocks.map((b) => [b.id, b.name]));
  const holder = (h: (typeof holders)[number]): Holder => ({ personId: h.person_id, name: h.name, reachable: h.reachable as boolean });
  const tiers: Tiers = {
    volunteers: holders.filter((h) => (TIER_ROLES.volunteers as readonly string[]).includes(h.role)).map(holder),
    officers: holders.filter((h) => h.role === 'officer').map(holder),
  };
  // The next tier with someone reachable in it takes the visits a 班長 cannot make.
  const visitsGoTo = tiers.volunteers.some((h) => h.reachable) ? 'volunteers' : tiers.officers.some((h) => h.reachable) ? 'officers' : 'nobody';
  const captains = groupBy(holders.filter((h) => h.role === 'captain' && h.block_id), (h) => h.block_id!);
  const captainsOf = (blockId: string) => (captains.get(blockId) ?? []).map(holder);
  const homes = households.map((h) => {
    const channels = (['app', 'speaker', 'paper'] as const).filter((c) => h[c]);
    const home: ReachHousehold = {
      id: h.id, householdNumber: h.household_number, name: h.name, address: h.address, blockId: h.block_id, blockName: names.get(h.block_id) ?? '', channels,
    };
    return home;
  });
  return { homes, tiers, visitsGoTo, captainsOf } as const;
}

const nobodyReaches = (h: ReachHousehold) => h.channels.length === 0;

/** GET /api/readiness: every 班 the actor may see (or the one asked for), the tiers and registration over time. */
export async function readiness(db: Db, actor: Actor, query: { blockId?: string; period: 'week' | 'month' }): Promise<Readiness> {
  let blockIds = readinessPolicy.viewBlocks(actor);
  if (query.blockId) {
    requireVisible(readinessPolicy.mayViewBlock(actor, query.blockId), 'block');
    blockIds = [query.blockId];
  }
  const blocks = await blocksOf(db, actor.associationId, blockIds);
  if (query.blockId) requireVisible(blocks.length === 1, 'block');
  const timeZone = await associationTimeZone(db, actor.associationId);
  const [facts, series] = await Promise.all([
    assess(db, actor.associationId, blocks, blockIds),
    registrationSeries(db, actor.associationId, { period: query.period, count: PERIODS, timeZone, blockIds }),
  ]);
  // Grouped by 班 once: an association can have thousands of homes in hundreds of 班.
  const homesByBlock = groupBy(facts.homes, (h) => h.blockId);
  const seriesByBlock = groupBy(series, (r) => r.block_id);
  const views = blocks.map((block): BlockReadiness => {
    const homes = homesByBlock.get(block.id) ?? [];
    const captains = facts.captainsOf(block.id);
    return {
      id: block.id,
      name: block.name,
      households: homes.length,
      registered: homes.filter((h) => h.channels.includes('app')).length,
      speakersOnline: homes.filter((h) => h.channels.includes('speaker')).length,
      paperOnly: homes.filter((h) => h.channels.length === 1 && h.channels[0] === 'paper'),
      nobody: homes.filter(nobodyReaches),
      captains,
      captainGap: captains.some((c) => c.reachable) ? null : { assigned: captains.length, visitsGoTo: facts.visitsGoTo },
    };
  });
  const periods = [...new Set(series.map((r) => r.starts))].sort();
  return {
    blocks: views,
    tiers: readinessPolicy.seesTiers(actor)
      ? (['volunteers', 'officers'] as const).map((tier) => ({ tier, holders: facts.tiers[tier], reachable: facts.tiers[tier].some((h) => h.reachable) }))
      : [],
    registration: {
      period: query.period,
      periods,
      blocks: blocks.map((b) => ({ blockId: b.id, registered: (seriesByBlock.get(b.id) ?? []).map((r) => r.registered) })),
    },
  };
}

/** POST /api/readiness/preflight: before a drill or circular goes to a scope, what it cannot reach. */
export async function preflight(db: Db, actor: Actor, blockIds: string[] | null): Promise<Preflight> {
  readinessPolicy.preflight(actor);
  const blocks = await blocksOf(db, actor.associationId, blockIds ?? undefined);
  if (blockIds && blocks.length !== new Set(blockIds).size) throw HttpError.badRequest('Every 班 must be a 班 of this association.', 'blockIds');
  const facts = await assess(db, actor.associationId, blocks, blockIds ?? undefined);
  return {
    households: facts.homes.length,
    nobody: facts.homes.filter(nobodyReaches),
    blocksWithoutCaptain: blocks
      .map((b) => ({ ...b, captains: facts.captainsOf(b.id) }))
      .filter((b) => !b.captains.some((c) => c.reachable))
      .map((b) => ({ id: b.id, name: b.name, assigned: b.captains.length, visitsGoTo: facts.visitsGoTo })),
    unreachableTiers: (['volunteers', 'officers'] as const).filter((tier) => !facts.tiers[tier].some((h) => h.reachable)),
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
