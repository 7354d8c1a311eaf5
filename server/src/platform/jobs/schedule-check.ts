import { createRequire } from 'node:module';
import type { Logger } from '../logger.js';

/**
 * pg-boss decides whether a schedule is due by parsing its cron expression in its time zone
 * and walking back to the previous run, for every schedule, every 30 s
 * (`cronMonitorIntervalSeconds`) on the instance that holds that turn. With a time zone,
 * cron-parser takes 20–80 ms of the event loop per daily schedule on this 2-core machine, so
 * five schedules stalled every request and socket of that instance for 100–300 ms twice a
 * minute (found in a CPU profile of the drill dashboard). A schedule's previous run changes
 * only when its next run passes, so the check below keeps both per (cron, time zone) and asks
 * cron-parser again only then: pg-boss's own answer, computed once per occurrence instead of
 * once per check. Near a boundary (within a second of a run) it asks cron-parser as pg-boss
 * does, so an instant that is itself a run time is never cached on the wrong side of it.
 */

/** The cron-parser that pg-boss itself uses (its dependency, resolved from pg-boss). */
interface CronInterval {
  prev(): { getTime(): number };
  next(): { getTime(): number };
}
type ParseCron = (cron: string, tz: string | undefined, at: number) => CronInterval;

const requireFromPgBoss = createRequire(createRequire(import.meta.url).resolve('pg-boss'));

export const pgBossCronParser: ParseCron = (() => {
  const cronParser = requireFromPgBoss('cron-parser') as {
    parseExpression(cron: string, options: { tz?: string; currentDate?: number }): CronInterval;
  };
  return (cron, tz, at) => cronParser.parseExpression(cron, { tz, currentDate: at });
})();

const EDGE_MS = 1000;

/**
 * pg-boss's `shouldSendIt` (the previous run, reckoned from this clock, was less than 60 s
 * before the database's clock), with the window between two runs kept per expression.
 */
export function createScheduleCheck(parse: ParseCron = pgBossCronParser, now: () => number = Date.now) {
  const windows = new Map<string, { prev: number; next: number }>();
  return function isDue(cron: string, tz: string | undefined, clockSkewMs: number): boolean {
    const local = now();
    const key = `${tz ?? ''}\u0000${cron}`;
    let window = windows.get(key);
    if (!window || local < window.prev + EDGE_MS || local > window.next - EDGE_MS) {
      const prev = parse(cron, tz, local).prev().getTime();
      // The run after `prev` (not after now: at an instant that is itself a run, cron-parser's
      // prev and next both skip it), so the two are consecutive and no run lies between.
      const fresh = { prev, next: parse(cron, tz, prev).next().getTime() };
      // Kept only while this instant lies well inside the window.
      if (local >= fresh.prev + EDGE_MS && local <= fresh.next - EDGE_MS) windows.set(key, fresh);
      else windows.delete(key);
      window = fresh;
    }
    return (local + clockSkewMs - window.prev) / 1000 < 60;
  };
}

interface TimekeeperPrototype {
  shouldSendIt?: (this: { clockSkew?: number }, cron: string, tz?: string) => boolean;
  tonariScheduleCheck?: true;
}

/**
 * Replaces pg-boss's per-check cron parse with the kept windows, once per process. pg-boss is
 * pinned by the lock file; if a later version no longer has the method, the log says so and
 * pg-boss's own check stays (correct, only slower).
 */
export function useKeptScheduleWindows(log: Logger): void {
  const proto = (requireFromPgBoss('./timekeeper.js') as { prototype: TimekeeperPrototype }).prototype;
  if (proto.tonariScheduleCheck) return;
  if (typeof proto.shouldSendIt !== 'function') {
    log.warn('pg-boss has no Timekeeper.shouldSendIt: its own schedule check is used');
    return;
  }
  const isDue = createScheduleCheck();
  proto.shouldSendIt = function shouldSendIt(cron, tz) {
    return isDue(cron, tz, this.clockSkew ?? 0);
  };
  proto.tonariScheduleCheck = true;
}
