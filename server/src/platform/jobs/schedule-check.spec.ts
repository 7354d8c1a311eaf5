import { describe, expect, it } from 'vitest';
import { createScheduleCheck, pgBossCronParser, useKeptScheduleWindows } from './schedule-check.js';
import { createRequire } from 'node:module';

describe('the kept schedule windows', () => {
  const schedules: [string, string | undefined][] = [
    ['20 5 * * *', 'Asia/Tokyo'],
    ['0 4 * * *', 'Asia/Tokyo'],
    ['*/5 * * * *', 'Asia/Tokyo'],
    ['30 2 * * *', 'America/New_York'],
    ['0 * * * *', undefined],
  ];

  it("answers as pg-boss's own check around every run and across two days", () => {
    const from = Date.parse('2026-03-07T00:00:00Z'); // spans New York's change to summer time
    const to = from + 2 * 86_400_000;
    for (const [cron, tz] of schedules) {
      // Instants in time order: every 17 minutes (drifting across minutes and seconds), and each
      // of the first runs itself, just before and after it, and through its 60 s window.
      const instants = new Set<number>();
      for (let at = from; at < to; at += 47 * 60_000 + 1_300) instants.add(at);
      const runs = pgBossCronParser(cron, tz, from);
      for (let i = 0; i < 6; i++) {
        const run = runs.next().getTime();
        for (const offset of [-1_000, -1, 0, 1, 500, 1_000, 29_500, 59_000, 59_999, 60_000, 61_000]) instants.add(run + offset);
      }
      let clock = 0;
      let parses = 0;
      const counted: typeof pgBossCronParser = (c, z, at) => (parses++, pgBossCronParser(c, z, at));
      const isDue = createScheduleCheck(counted, () => clock);
      let due = 0;
      const sorted = [...instants].sort((a, b) => a - b);
      for (clock of sorted) {
        const prev = pgBossCronParser(cron, tz, clock).prev().getTime(); // pg-boss's own reckoning
        for (const skew of [0, -700, 1_500]) {
          const expected = (clock + skew - prev) / 1000 < 60;
          expect(isDue(cron, tz, skew), `${cron} ${tz} at ${new Date(clock).toISOString()} skew ${skew}`).toBe(expected);
          if (expected) due++;
        }
      }
      expect(due, cron).toBeGreaterThan(6); // the runs were found, not only the quiet minutes
    }
  }, 120_000);

  it("parses a daily schedule a few times a day, not at every 30 s check", () => {
    let clock = Date.parse('2026-03-07T00:00:00Z');
    let parses = 0;
    const isDue = createScheduleCheck((c, z, at) => (parses++, pgBossCronParser(c, z, at)), () => clock);
    const checks = (2 * 86_400_000) / 30_000;
    for (let i = 0; i < checks; i++, clock += 30_000) isDue('20 5 * * *', 'Asia/Tokyo', 0);
    expect(checks).toBe(5_760);
    expect(parses).toBeLessThanOrEqual(12); // the first window; at each of the two runs, its own instant and the next check
  });

  it('is installed on the Timekeeper that pg-boss uses', () => {
    const log = { warn: () => undefined } as never;
    useKeptScheduleWindows(log);
    const requireFromPgBoss = createRequire(createRequire(import.meta.url).resolve('pg-boss'));
    const proto = (requireFromPgBoss('./timekeeper.js') as { prototype: { shouldSendIt: (cron: string, tz?: string) => boolean; tonariScheduleCheck?: true } }).prototype;
    expect(proto.tonariScheduleCheck).toBe(true);
    const due = proto.shouldSendIt.call({ clockSkew: 0 }, '* * * * *', 'Asia/Tokyo');
    expect(due).toBe(true); // every minute: the previous run is always less than 60 s ago
  });
});
