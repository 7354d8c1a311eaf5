import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { parseTownArgs, TownArgsError } from '../devices/src/town/town-options.js';
import { planTown } from '../devices/src/town/town-seed.js';
import { runTown, type TownResult } from '../devices/src/town/town-run.js';
import { finalLine, householdsCsv, report, summarise } from '../devices/src/town/town-report.js';

/**
 * `npm run town` on a small town (120 households, 1 association, 6 班) through the same code:
 * the real server, real HTTP logins and answers, speakers on MQTT, 班長 and volunteers
 * walking on an accelerated clock.
 */
let database: TestDatabase;
let result: TownResult;
let lines: string[];

beforeAll(async () => {
  database = await createTestDatabase();
  const options = parseTownArgs(['--households', '120', '--associations', '1', '--speed', '40', '--seed', '7'])!;
  result = await runTown(database, options);
  lines = report(result, 'town.csv');
}, 240_000);
afterAll(() => database?.drop());

describe('the town simulation', () => {
  it('accounts for every household within the simulated 30 minutes, and says so on its last line', () => {
    const summary = summarise(result);
    expect(result.errors).toEqual([]);
    expect(summary.accounted).toBe(120);
    expect(summary.allAccounted).toBe(true);
    expect(summary.atMinutes).toBeLessThanOrEqual(30);
    expect(lines.at(-1)).toBe(finalLine(summary));
    expect(lines.at(-1)).toMatch(/^town: 120 households, 100% accounted at \d+(\.\d)? simulated minutes$/);
  });

  it("reaches each channel its own way: paper and unregistered homes by a visit, app and speaker homes mostly by themselves", () => {
    const channelOf = new Map(result.plan.households.map((h) => [h.id!, h.channel]));
    const by = (channel: string) => result.outcome.filter((o) => channelOf.get(o.householdId) === channel);
    expect(by('paper').length).toBe(18);
    expect(by('none').length).toBe(6);
    expect(by('paper').every((o) => o.answeredBy === 'visit')).toBe(true);
    expect(by('none').every((o) => o.answeredBy === 'visit')).toBe(true);
    expect(by('app').filter((o) => o.answeredBy === 'app').length).toBeGreaterThan(50);
    expect(by('speaker').filter((o) => o.answeredBy === 'speaker').length).toBeGreaterThan(20);
    // 班長 walked, and what they could not reach went up to volunteers or officers.
    expect(result.visits.some((v) => v.by.role === 'captain')).toBe(true);
  });

  it('prints the curve per 班 and writes each household with its channel', () => {
    expect(lines.filter((l) => /^\s+\d+班 \(\d+\)/.test(l))).toHaveLength(6);
    expect(lines.some((l) => l.startsWith('  paper drill') || l.includes('53.6% by its end'))).toBe(true);
    const csv = householdsCsv(result).trim().split('\n');
    expect(csv).toHaveLength(121);
    expect(csv.slice(1).every((l) => /,(app|speaker|paper|none),/.test(l))).toBe(true);
  });
});

describe('the town', () => {
  it('is the same town for the same seed, with the pilot mix and a 班長 with a login in every 班', () => {
    const plan = planTown({ households: 1200, associations: 4, seed: 3, perBlock: 20 });
    expect(planTown({ households: 1200, associations: 4, seed: 3, perBlock: 20 })).toEqual(plan);
    const count = (c: string) => plan.households.filter((h) => h.channel === c).length;
    expect([count('app'), count('speaker'), count('paper'), count('none')]).toEqual([660, 300, 180, 60]);
    expect(plan.associations.map((a) => a.blocks.length)).toEqual([15, 15, 15, 15]);
    const captains = plan.staff.filter((s) => s.role === 'captain');
    expect(captains).toHaveLength(60);
    expect(captains.every((c) => plan.households[c.household!]!.login === c.login)).toBe(true);
    expect(plan.households.filter((h) => h.channel === 'none').every((h) => !h.login && !h.device)).toBe(true);
  });

  it('refuses bad flags by name', () => {
    expect(() => parseTownArgs(['--households', '0'])).toThrow(TownArgsError);
    expect(() => parseTownArgs(['--speed', 'fast'])).toThrow(/--speed/);
    expect(() => parseTownArgs(['--colour'])).toThrow(TownArgsError);
    expect(parseTownArgs(['--help'])).toBeNull();
  });
});
