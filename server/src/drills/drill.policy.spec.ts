import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import { drillPolicy } from './drill.policy.js';

const ASSOCIATION = 'association-1';
const BLOCK_1 = 'block-1';
const BLOCK_2 = 'block-2';

function actor(roles: Partial<Actor> = {}): Actor {
  return {
    sessionId: 'session', personId: 'person', associationId: ASSOCIATION, officer: false, captainOf: [], volunteer: false,
    welfareCommissioner: false, watcherOf: [], householdId: null, ...roles,
  };
}

const officer = actor({ officer: true });
const captain1 = actor({ captainOf: [BLOCK_1], householdId: 'household-c' });
const volunteer = actor({ volunteer: true });
const commissioner = actor({ welfareCommissioner: true });
const member = actor({ householdId: 'household-a' });
const watcher = actor({ watcherOf: ['household-a'] });

describe('drill policy', () => {
  it('only officers of the association start and end one', () => {
    expect(drillPolicy.canManage(officer)).toBe(true);
    for (const other of [captain1, volunteer, commissioner, member, watcher]) expect(drillPolicy.canManage(other)).toBe(false);
  });

  it('a drill of another association does not exist for anyone', () => {
    expect(drillPolicy.canSee(officer, { associationId: ASSOCIATION })).toBe(true);
    expect(drillPolicy.canSee(officer, { associationId: 'association-2' })).toBe(false);
  });

  it('a member answers for their own household only; a watcher has none to answer for', () => {
    expect(drillPolicy.ownHousehold(member)).toBe('household-a');
    expect(drillPolicy.ownHousehold(watcher)).toBeNull();
  });

  it('a proxy answer: officers, the 班長 of its 班, volunteers, 民生委員 and neighbours of the same 班', () => {
    const inBlock1 = { blockId: BLOCK_1 };
    const inBlock2 = { blockId: BLOCK_2 };
    expect(drillPolicy.canAnswerByProxy(officer, inBlock2, null)).toBe(true);
    expect(drillPolicy.canAnswerByProxy(captain1, inBlock1, BLOCK_1)).toBe(true);
    // The 班長 of 1班, living in 1班, is only a neighbour's 班 away from 2班: not theirs.
    expect(drillPolicy.canAnswerByProxy(captain1, inBlock2, BLOCK_1)).toBe(false);
    expect(drillPolicy.canAnswerByProxy(volunteer, inBlock2, null)).toBe(true);
    expect(drillPolicy.canAnswerByProxy(commissioner, inBlock2, null)).toBe(true);
    expect(drillPolicy.canAnswerByProxy(member, inBlock1, BLOCK_1)).toBe(true);
    expect(drillPolicy.canAnswerByProxy(member, inBlock2, BLOCK_1)).toBe(false);
    expect(drillPolicy.canAnswerByProxy(watcher, inBlock1, null)).toBe(false);
  });

  it("a silent household's task: its 班長 and officers; volunteers and 民生委員 once it has reached them", () => {
    for (const tier of ['none', 'captain', 'volunteers', 'officers'] as const) {
      expect(drillPolicy.canHandleTask(officer, { blockId: BLOCK_2, tier })).toBe(true);
      expect(drillPolicy.canHandleTask(captain1, { blockId: BLOCK_1, tier })).toBe(true);
      expect(drillPolicy.canHandleTask(member, { blockId: BLOCK_1, tier })).toBe(false);
    }
    expect(drillPolicy.canHandleTask(captain1, { blockId: BLOCK_2, tier: 'officers' })).toBe(false);
    expect(drillPolicy.canHandleTask(volunteer, { blockId: BLOCK_2, tier: 'captain' })).toBe(false);
    expect(drillPolicy.canHandleTask(volunteer, { blockId: BLOCK_2, tier: 'volunteers' })).toBe(true);
    expect(drillPolicy.canHandleTask(commissioner, { blockId: BLOCK_2, tier: 'officers' })).toBe(true);
  });

  it('the dashboard, report and CSV: every 班 for officers, their own for a 班長, nobody else (403)', () => {
    expect(drillPolicy.followUpBlocks(officer, 'follow a safety confirmation')).toBeUndefined();
    expect(drillPolicy.followUpBlocks(captain1, 'export a safety confirmation')).toEqual([BLOCK_1]);
    for (const other of [volunteer, commissioner, member, watcher]) {
      expect(() => drillPolicy.followUpBlocks(other, 'follow a safety confirmation')).toThrow(expect.objectContaining({ status: 403 }));
    }
  });

  it('a visit list: all for officers, their 班 for a 班長, what was escalated for helpers, none for members', () => {
    expect(drillPolicy.visitScope(officer)).toEqual({});
    expect(drillPolicy.visitScope(captain1)).toEqual({ blocks: [BLOCK_1], escalatedToVolunteers: false });
    expect(drillPolicy.visitScope(volunteer)).toEqual({ blocks: [], escalatedToVolunteers: true });
    expect(drillPolicy.visitScope(actor({ volunteer: true, captainOf: [BLOCK_2] }))).toEqual({ blocks: [BLOCK_2], escalatedToVolunteers: true });
    expect(drillPolicy.visitScope(member)).toBeUndefined();
    expect(drillPolicy.visitScope(watcher)).toBeUndefined();
  });

  it('a list: everything for officers, any active one for helpers, what reached them for members and 班長', () => {
    expect(drillPolicy.listScope(officer)).toMatchObject({ everything: true });
    expect(drillPolicy.listScope(volunteer)).toMatchObject({ everything: false, anyActive: true });
    expect(drillPolicy.listScope(captain1)).toMatchObject({ everything: false, anyActive: false, householdId: 'household-c', captainOf: [BLOCK_1] });
    expect(drillPolicy.listScope(member)).toMatchObject({ everything: false, anyActive: false, householdId: 'household-a', captainOf: [] });
  });
});
