import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import { HttpError } from '../platform/http/errors.js';
import { readinessPolicy } from './readiness.policy.js';

const actor = (over: Partial<Actor> = {}): Actor => ({
  sessionId: 's', personId: 'p', associationId: 'x', officer: false, captainOf: [], volunteer: false, welfareCommissioner: false, watcherOf: [], householdId: null, ...over,
});

describe('readiness policy', () => {
  it('officers see every 班 and the tiers; a 班長 their own 班 only, without the tiers', () => {
    expect(readinessPolicy.viewBlocks(actor({ officer: true }))).toBeUndefined();
    expect(readinessPolicy.seesTiers(actor({ officer: true }))).toBe(true);
    const captain = actor({ captainOf: ['b1'] });
    expect(readinessPolicy.viewBlocks(captain)).toEqual(['b1']);
    expect(readinessPolicy.mayViewBlock(captain, 'b1')).toBe(true);
    expect(readinessPolicy.mayViewBlock(captain, 'b2')).toBe(false);
    expect(readinessPolicy.seesTiers(captain)).toBe(false);
  });

  it('members, watchers and volunteers see no readiness (403)', () => {
    for (const other of [actor({ householdId: 'h' }), actor({ watcherOf: ['h'] }), actor({ volunteer: true }), actor({ welfareCommissioner: true })]) {
      expect(() => readinessPolicy.viewBlocks(other)).toThrow(HttpError);
      expect(() => readinessPolicy.viewBlocks(other)).toThrow(/Only officers and 班長 can see readiness/);
    }
  });

  it('only officers ask for a preflight', () => {
    expect(() => readinessPolicy.preflight(actor({ officer: true }))).not.toThrow();
    expect(() => readinessPolicy.preflight(actor({ captainOf: ['b1'] }))).toThrow(HttpError);
  });
});
