import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import { referralPolicy } from './referral.policy.js';

const actor = (over: Partial<Actor> = {}): Actor => ({
  sessionId: 's', personId: 'p', associationId: 'a', officer: false, captainOf: [], volunteer: false, welfareCommissioner: false, watcherOf: [], householdId: null, ...over,
});

describe('referralPolicy', () => {
  it('refers: 班長, volunteers, 民生委員 and officers; not members or family', () => {
    for (const ok of [actor({ officer: true }), actor({ captainOf: ['b'] }), actor({ volunteer: true }), actor({ welfareCommissioner: true })]) {
      expect(() => referralPolicy.refers(ok)).not.toThrow();
    }
    expect(() => referralPolicy.refers(actor({ householdId: 'h' }))).toThrow(/Only/);
    expect(() => referralPolicy.refers(actor({ watcherOf: ['h'] }))).toThrow(/Only/);
  });

  it('a referral follows a needs-help outcome only', () => {
    expect(referralPolicy.followsNeed({ kind: 'watch_alert', status: 'resolved', outcome: 'needs_help' })).toBe(true);
    expect(referralPolicy.followsNeed({ kind: 'watch_alert', status: 'resolved', outcome: 'fine' })).toBe(false);
    expect(referralPolicy.followsNeed({ kind: 'watch_alert', status: 'taken', outcome: null })).toBe(false);
    expect(referralPolicy.followsNeed({ kind: 'drill_visit', status: 'needs_help' })).toBe(true);
    expect(referralPolicy.followsNeed({ kind: 'drill_visit', status: 'injured' })).toBe(true);
    expect(referralPolicy.followsNeed({ kind: 'drill_visit', status: 'safe' })).toBe(false);
    expect(referralPolicy.followsNeed({ kind: 'drill_visit', status: null })).toBe(false);
  });

  it('counts are the officers’, and 1 or 2 is never shown as such', () => {
    expect(() => referralPolicy.seesCounts(actor({ officer: true }))).not.toThrow();
    expect(() => referralPolicy.seesCounts(actor({ captainOf: ['b'] }))).toThrow(/Only officers/);
    expect([1, 2, 3, 10].map((n) => referralPolicy.shownCount(n))).toEqual([null, null, 3, 10]);
  });

  it('a 班 margin never leaves one suppressed cell alone: the smallest shown one goes too', () => {
    expect(referralPolicy.shownBlockCounts([3, 1, 5, 4])).toEqual([null, null, 5, 4]);
    expect(referralPolicy.shownBlockCounts([1, 2, 5])).toEqual([null, null, 5]);
    expect(referralPolicy.shownBlockCounts([3, 4])).toEqual([3, 4]);
    expect(referralPolicy.shownBlockCounts([2])).toEqual([null]);
    expect(referralPolicy.shownBlockCounts([])).toEqual([]);
  });
});
