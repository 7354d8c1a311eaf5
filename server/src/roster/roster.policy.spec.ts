import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import {
  canEditHousehold,
  canEditPerson,
  canManageRoster,
  canMoveOrRenumberHousehold,
  canViewBlock,
  canViewHousehold,
  householdScope,
} from './roster.policy.js';

const X = 'association-x';
const Y = 'association-y';
const actor = (roles: Partial<Actor> = {}): Actor => ({
  sessionId: 's', personId: 'p', associationId: X, officer: false, captainOf: [], volunteer: false, welfareCommissioner: false,
  watcherOf: [], householdId: null, ...roles,
});
const household = { id: 'h1', associationId: X, blockId: 'b1' };

describe('canViewHousehold', () => {
  it('lets officers, the 班長 of its 班, its members and its family watchers see a household', () => {
    expect(canViewHousehold(actor({ officer: true }), household)).toBe(true);
    expect(canViewHousehold(actor({ captainOf: ['b1'] }), household)).toBe(true);
    expect(canViewHousehold(actor({ householdId: 'h1' }), household)).toBe(true);
    expect(canViewHousehold(actor({ watcherOf: ['h1'] }), household)).toBe(true);
  });
  it("hides it from other 班's captains, volunteers and other households", () => {
    expect(canViewHousehold(actor({ captainOf: ['b2'] }), household)).toBe(false);
    expect(canViewHousehold(actor({ volunteer: true, welfareCommissioner: true }), household)).toBe(false);
    expect(canViewHousehold(actor({ householdId: 'h2' }), household)).toBe(false);
  });
  it('hides every household of another association, even from its officers', () => {
    expect(canViewHousehold(actor({ officer: true, associationId: Y }), household)).toBe(false);
  });
});

describe('canEditHousehold', () => {
  it('lets officers and the household itself edit it', () => {
    expect(canEditHousehold(actor({ officer: true }), household)).toBe(true);
    expect(canEditHousehold(actor({ householdId: 'h1' }), household)).toBe(true);
  });
  it('refuses its 班長, its watchers and another association', () => {
    expect(canEditHousehold(actor({ captainOf: ['b1'] }), household)).toBe(false);
    expect(canEditHousehold(actor({ watcherOf: ['h1'] }), household)).toBe(false);
    expect(canEditHousehold(actor({ officer: true, associationId: Y }), household)).toBe(false);
  });
});

describe('canMoveOrRenumberHousehold', () => {
  it("is the officers' only, not the household's", () => {
    expect(canMoveOrRenumberHousehold(actor({ officer: true }))).toBe(true);
    expect(canMoveOrRenumberHousehold(actor({ householdId: 'h1' }))).toBe(false);
    expect(canMoveOrRenumberHousehold(actor({ captainOf: ['b1'] }))).toBe(false);
  });
});

describe('canEditPerson', () => {
  it('lets officers edit anyone, a person themself, and a household its members', () => {
    expect(canEditPerson(actor({ officer: true }), { id: 'q' }, undefined)).toBe(true);
    expect(canEditPerson(actor({ personId: 'q' }), { id: 'q' }, undefined)).toBe(true);
    expect(canEditPerson(actor({ householdId: 'h1' }), { id: 'q' }, household)).toBe(true);
  });
  it("refuses a member of another household, or of none, to their 班長 and watchers too", () => {
    expect(canEditPerson(actor({ householdId: 'h2' }), { id: 'q' }, household)).toBe(false);
    expect(canEditPerson(actor({ householdId: 'h1' }), { id: 'q' }, undefined)).toBe(false);
    expect(canEditPerson(actor({ captainOf: ['b1'], watcherOf: ['h1'] }), { id: 'q' }, household)).toBe(false);
  });
});

describe('canViewBlock', () => {
  it('lets officers and its own 班長 see a 班', () => {
    expect(canViewBlock(actor({ officer: true }), { id: 'b1', associationId: X })).toBe(true);
    expect(canViewBlock(actor({ captainOf: ['b1'] }), { id: 'b1', associationId: X })).toBe(true);
  });
  it('hides it from other captains, members and another association', () => {
    expect(canViewBlock(actor({ captainOf: ['b2'] }), { id: 'b1', associationId: X })).toBe(false);
    expect(canViewBlock(actor({ householdId: 'h1' }), { id: 'b1', associationId: X })).toBe(false);
    expect(canViewBlock(actor({ officer: true }), { id: 'b1', associationId: Y })).toBe(false);
  });
});

describe('canManageRoster', () => {
  it("is the officers' of the association only", () => {
    expect(canManageRoster(actor({ officer: true }), X)).toBe(true);
    expect(canManageRoster(actor({ officer: true }), Y)).toBe(false);
    expect(canManageRoster(actor({ captainOf: ['b1'] }), X)).toBe(false);
  });
});

describe('householdScope', () => {
  it('gives officers the whole association', () => {
    expect(householdScope(actor({ officer: true, householdId: 'h1' }))).toEqual({ kind: 'association', associationId: X });
  });
  it("gives a 班長 their 班 and their own and watched households", () => {
    expect(householdScope(actor({ captainOf: ['b1'], householdId: 'h3', watcherOf: ['h9'] }))).toEqual({
      kind: 'blocks', associationId: X, blockIds: ['b1'], householdIds: ['h3', 'h9'],
    });
  });
  it('gives everyone else their own and watched households, or none', () => {
    expect(householdScope(actor({ householdId: 'h1', watcherOf: ['h2'] }))).toEqual({ kind: 'households', associationId: X, householdIds: ['h1', 'h2'] });
    expect(householdScope(actor({ volunteer: true }))).toEqual({ kind: 'households', associationId: X, householdIds: [] });
  });
});
