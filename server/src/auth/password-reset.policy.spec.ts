import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import { canIssueResetCode, type ResetTarget } from './password-reset.policy.js';

const X = 'association-x';
const Y = 'association-y';
const actor = (roles: Partial<Actor> = {}): Actor => ({
  sessionId: 's', personId: 'me', associationId: X, officer: false, captainOf: [], volunteer: false, welfareCommissioner: false,
  watcherOf: [], householdId: null, ...roles,
});
const target = (other: Partial<ResetTarget> = {}): ResetTarget => ({ id: 'them', associationId: X, ...other });

describe('canIssueResetCode', () => {
  it('lets an officer issue a code for anyone of their association, a fellow officer included', () => {
    expect(canIssueResetCode(actor({ officer: true }), target())).toBe(true);
  });

  it('refuses a 班長 and everyone else who does not manage the roster', () => {
    expect(canIssueResetCode(actor({ captainOf: ['b1'] }), target())).toBe(false);
    expect(canIssueResetCode(actor({ volunteer: true, welfareCommissioner: true, watcherOf: ['h1'], householdId: 'h1' }), target())).toBe(false);
  });

  it('refuses a person of another association, even to its officers', () => {
    expect(canIssueResetCode(actor({ officer: true }), target({ associationId: Y }))).toBe(false);
    expect(canIssueResetCode(actor({ officer: true, associationId: Y }), target())).toBe(false);
  });

  it('refuses a code for oneself (the password page asks for the current password instead)', () => {
    expect(canIssueResetCode(actor({ officer: true }), target({ id: 'me' }))).toBe(false);
  });
});
