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

  it('a month with any cell below the threshold, in either margin, withholds its 班 margin; a month with none shows both whole', () => {
    expect(referralPolicy.shownMonth([3, 5], [4, 4])).toEqual({ worries: [3, 5], blocks: [4, 4] });
    expect(referralPolicy.shownMonth([3, 2], [5])).toEqual({ worries: [3, null], blocks: 'withheld' });
    expect(referralPolicy.shownMonth([5], [1, 4])).toEqual({ worries: [5], blocks: 'withheld' });
    expect(referralPolicy.shownMonth([], [])).toEqual({ worries: [], blocks: [] });
  });

  /**
   * Every month of up to 5 households over 3 班 and 3 worries (each household: one 班, one or more
   * worries): grouped by what is published, a hidden cell is recovered when every month that
   * publishes the same shows the same true value there. Months of up to 4 households are checked
   * (their alternatives, a household more or fewer, are all in the set).
   */
  type Shown = (worries: number[], blocks: number[]) => { worries: (number | null)[]; blocks: (number | null)[] | 'withheld' };
  const recoveries = (shown: Shown) => {
    const types: { block: number; worries: number[] }[] = [];
    for (let block = 0; block < 3; block++) for (let mask = 1; mask < 8; mask++) types.push({ block, worries: [0, 1, 2].filter((w) => mask & (1 << w)) });
    const groups = new Map<string, { n: number; hidden: Map<string, number> }[]>();
    const visit = (from: number, chosen: number[]) => {
      if (chosen.length) {
        const worry = [0, 0, 0];
        const block = [0, 0, 0];
        for (const t of chosen) { block[types[t]!.block]! += 1; for (const w of types[t]!.worries) worry[w]! += 1; }
        // Rows exist only for counts of one or more (as the SQL groups them).
        const wi = [0, 1, 2].filter((w) => worry[w]! > 0);
        const bi = [0, 1, 2].filter((b) => block[b]! > 0);
        const out = shown(wi.map((w) => worry[w]!), bi.map((b) => block[b]!));
        const key = JSON.stringify({ w: wi.map((w, i) => [w, out.worries[i]]), b: out.blocks === 'withheld' ? 'withheld' : bi.map((b, i) => [b, out.blocks[i]]) });
        const hidden = new Map<string, number>();
        wi.forEach((w, i) => { if (out.worries[i] === null) hidden.set(`w${w}`, worry[w]!); });
        if (out.blocks !== 'withheld') bi.forEach((b, i) => { if ((out.blocks as (number | null)[])[i] === null) hidden.set(`b${b}`, block[b]!); });
        groups.set(key, [...(groups.get(key) ?? []), { n: chosen.length, hidden }]);
      }
      if (chosen.length === 5) return;
      for (let t = from; t < types.length; t++) visit(t, [...chosen, t]);
    };
    visit(0, []);
    let found = 0;
    for (const months of groups.values()) {
      for (const month of months.filter((m) => m.n <= 4)) {
        for (const [cell, value] of month.hidden) if (months.every((m) => m.hidden.get(cell) === value)) found++;
      }
    }
    return found;
  };

  it('no hidden cell of either margin can be recovered from what is published (every subtraction across both tables, tried)', () => {
    expect(recoveries((w, b) => referralPolicy.shownMonth(w, b))).toBe(0);
  });

  it('(the search finds recoveries: suppressing each margin on its own, as before, leaks)', () => {
    const alone = (counts: number[]) => counts.map((n) => referralPolicy.shownCount(n));
    expect(recoveries((w, b) => ({ worries: alone(w), blocks: alone(b) }))).toBeGreaterThan(0);
  });
});
