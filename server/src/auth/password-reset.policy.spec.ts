import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import { canIssueResetCode, holdsNoMoreRightsThan, type HeldRoles, type ResetTarget } from './password-reset.policy.js';

const X = 'association-x';
const Y = 'association-y';
const actor = (roles: Partial<Actor> = {}): Actor => ({
  sessionId: 's', personId: 'me', associationId: X, officer: false, captainOf: [], volunteer: false, welfareCommissioner: false,
  watcherOf: [], householdId: null, ...roles,
});
const held = (roles: Partial<HeldRoles> = {}): HeldRoles => ({ officer: false, captainOf: [], volunteer: false, welfareCommissioner: false, watcherOf: [], ...roles });
const target = (roles: Partial<HeldRoles> = {}, other: Partial<ResetTarget> = {}): ResetTarget => ({ id: 'them', associationId: X, roles: held(roles), ...other });

describe('canIssueResetCode', () => {
  it('lets an officer issue a code for a resident, a 班長, a volunteer, a 民生委員 and a family watcher', () => {
    const officer = actor({ officer: true });
    expect(canIssueResetCode(officer, target())).toBe(true);
    expect(canIssueResetCode(officer, target({ captainOf: ['b1'] }))).toBe(true);
    expect(canIssueResetCode(officer, target({ volunteer: true, welfareCommissioner: true }))).toBe(true);
    expect(canIssueResetCode(officer, target({ watcherOf: ['h1'] }))).toBe(true);
  });

  it('lets an officer, who holds the top role, issue one for a fellow officer', () => {
    expect(canIssueResetCode(actor({ officer: true }), target({ officer: true }))).toBe(true);
  });

  it('refuses a 班長, even for a resident of their own 班, and everyone else who does not manage the roster', () => {
    expect(canIssueResetCode(actor({ captainOf: ['b1'] }), target())).toBe(false);
    expect(canIssueResetCode(actor({ captainOf: ['b1'] }), target({ captainOf: ['b1'] }))).toBe(false);
    expect(canIssueResetCode(actor({ volunteer: true, welfareCommissioner: true, watcherOf: ['h1'], householdId: 'h1' }), target())).toBe(false);
  });

  it('refuses a person of another association, even to its officers', () => {
    expect(canIssueResetCode(actor({ officer: true }), target({}, { associationId: Y }))).toBe(false);
    expect(canIssueResetCode(actor({ officer: true, associationId: Y }), target())).toBe(false);
  });

  it('refuses a code for oneself (the password page asks for the current password instead)', () => {
    expect(canIssueResetCode(actor({ officer: true }), target({ officer: true }, { id: 'me' }))).toBe(false);
  });
});

describe('holdsNoMoreRightsThan', () => {
  it("an officer's rights cover every role", () => {
    const officer = held({ officer: true });
    expect(holdsNoMoreRightsThan(held({ officer: true, captainOf: ['b1'], volunteer: true, welfareCommissioner: true, watcherOf: ['h1'] }), officer)).toBe(true);
  });
  it('nobody else covers an officer', () => {
    expect(holdsNoMoreRightsThan(held({ officer: true }), held({ captainOf: ['b1', 'b2'], volunteer: true, welfareCommissioner: true, watcherOf: ['h1'] }))).toBe(false);
  });
  it('a 班長 covers a resident and a 班長 of the same 班, not of another', () => {
    const captain = held({ captainOf: ['b1'] });
    expect(holdsNoMoreRightsThan(held(), captain)).toBe(true);
    expect(holdsNoMoreRightsThan(held({ captainOf: ['b1'] }), captain)).toBe(true);
    expect(holdsNoMoreRightsThan(held({ captainOf: ['b2'] }), captain)).toBe(false);
  });
  it('a role or a watched household the other does not hold is more rights', () => {
    expect(holdsNoMoreRightsThan(held({ volunteer: true }), held({ captainOf: ['b1'] }))).toBe(false);
    expect(holdsNoMoreRightsThan(held({ welfareCommissioner: true }), held({ volunteer: true }))).toBe(false);
    expect(holdsNoMoreRightsThan(held({ watcherOf: ['h2'] }), held({ watcherOf: ['h1'] }))).toBe(false);
    expect(holdsNoMoreRightsThan(held({ watcherOf: ['h1'] }), held({ watcherOf: ['h1'], volunteer: true }))).toBe(true);
  });
});
