import { describe, expect, it } from 'vitest';
import { fanOutPages } from './fan-out.js';
import { stableJobId } from './jobs.js';

const households = Array.from({ length: 23 }, (_, i) => `h${String(i).padStart(3, '0')}`);
const page = async (after: string | null, limit: number) => households.filter((h) => after === null || h > after).slice(0, limit);

describe('fanOutPages', () => {
  it('sends every household once, in pages, when the budget allows', async () => {
    const sent: string[][] = [];
    const carried: string[] = [];
    const result = await fanOutPages({ after: null, page, send: async (ids) => void sent.push(ids), carryOn: async (from) => carried.push(from), pageSize: 10 });
    expect(sent.map((p) => p.length)).toEqual([10, 10, 3]);
    expect(sent.flat()).toEqual(households);
    expect(carried).toEqual([]);
    expect(result).toEqual({ households: 23, carriedOn: false });
  });

  it('hands the rest on after its budget, and the pieces together reach everyone exactly once', async () => {
    const sent: string[] = [];
    let after: string | null = null;
    const pieces: (string | null)[] = [];
    for (;;) {
      pieces.push(after);
      let next: string | null = null;
      const result = await fanOutPages({ after, page, send: async (ids) => void sent.push(...ids), carryOn: async (from) => (next = from), pageSize: 10, budgetMs: 0 });
      if (!result.carriedOn) break;
      after = next;
    }
    expect(pieces).toEqual([null, 'h009', 'h019']);
    expect(sent).toEqual(households);
  });

  it('a piece run twice hands on to the same continuation (one job id)', async () => {
    const ids: string[] = [];
    for (let run = 0; run < 2; run++) {
      await fanOutPages({ after: 'h004', page, send: async () => undefined, carryOn: async (from) => ids.push(stableJobId('drill-ask', 'd1', from)), pageSize: 5, budgetMs: 0 });
    }
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(stableJobId('drill-ask', 'd1', 'h010')).not.toBe(ids[0]);
  });
});
