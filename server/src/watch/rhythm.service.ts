import type { ServiceContext } from '../common/service-context.js';
import type { WatchRhythm } from '../contracts/watch.js';
import { inTransaction, type Tx } from '../platform/db/transaction.js';
import * as rhythm from './rhythm.repository.js';
import { findSettings, type SettingsRow } from './watch.repository.js';
import { addDays } from '../common/local-time.js';
import { DAY_START_HOUR, dayStartOf, nextCheckOf, watchDayOf, watchDayStart } from './watch-time.js';

/**
 * A home's daily rhythm, and the check it allows: noticing a silent home in hours, not a day.
 *
 * The model. A watch day runs from 04:00 to 04:00 local time, by the clock of the home's
 * association (associations.time_zone; watch-time.ts): a trip to the toilet at 02:00 belongs
 * to the night before. For each home, over the last 28 watch days (today excluded) of its
 * association's zone on which it had any activity at all, take the hour
 * of its first activity each day; the home is "usually active by H時" when on 80% of those
 * days it had been active before H:00 (H is the 80th percentile of the first hours, plus one).
 * With fewer than 7 active days, or no such hour before 23時, there is no rhythm and only the
 * fixed threshold applies.
 *
 * The check. A home with a rhythm, its rhythm check on, that has not been active today by its
 * usual hour plus a grace (2 h by default, per home) is checked then: the resident is asked on
 * the speaker, then the tiers follow as for any silent home. The fixed threshold (12 h of
 * silence by default) stays as the fallback, for homes without a rhythm and for a resident who
 * falls after being up (the rhythm has been met that day). Both are only the next check time
 * (watch-time.ts, `nextCheckOf`): quiet hours move it to their end, and the scan skips homes
 * away, so both still apply.
 *
 * When learned. Each association once a day, after ITS watch day has rolled over (04:00 by its
 * clock): the `watch-rhythm` job runs hourly and learns the associations whose watch day has
 * moved on since their marker (watch_rhythm_runs) — a fixed 04:10 Tokyo would be before 04:00
 * in zones from about UTC+4:50 to UTC+8:50, which would then learn a day late. An association
 * is learned in chunks of homes (RHYTHM_RULES.batch, locked in id order), each chunk and the
 * marker (the day, the zone, the last home learned) in one transaction: a second run of the job
 * waits on the marker, then continues where the first stopped or finds it done, so each home
 * is learned once a day however often the job runs. Also for one home when its watch page is
 * opened on a new watch day of its zone, and after an officer changes the zone (replanForZone,
 * then the `watch-rhythm-zone` job).
 */
export const RHYTHM_RULES = { windowDays: 28, share: 0.8, minDays: 7, batch: 250 } as const;

/** The rules a rhythm is learned by at `now` for homes of an association in `zone`: the window is that zone's last 28 whole watch days. */
function rulesAt(now: Date, zone: string): rhythm.RhythmRules {
  const today = watchDayOf(now, zone);
  return {
    timeZone: zone, dayStartHour: DAY_START_HOUR, from: watchDayStart(addDays(today, -RHYTHM_RULES.windowDays), zone), to: watchDayStart(today, zone),
    share: RHYTHM_RULES.share, minDays: RHYTHM_RULES.minDays, learnedAt: now,
  };
}

type Learned = Awaited<ReturnType<typeof rhythm.learnRhythms>>[number];

/**
 * The next checks to write after learning: those of homes whose rhythm changed, or (`all`, the
 * zone changed) every planned one; a home with a live alert (no next check) keeps none.
 */
const movedChecks = (rows: Learned[], zone: string, now: Date, all: boolean) =>
  rows
    .filter((r) => r.next_check_at && (all || r.before !== r.rhythm_usual_hour))
    .map((r) => ({ id: r.household_id, next: nextCheckOf(r.last_activity_at ?? now, r, zone).toISOString() }));

/**
 * Without `householdIds`, the hourly `watch-rhythm` job at `now`: every association whose
 * watch day has rolled over since it was last learned (or that has never been) is learned.
 * With them, these homes (a watch page opened on a new day), each by its association's clock
 * (one statement per time zone among them), leaving the associations' markers as they are.
 */
export async function learnRhythms(ctx: Pick<ServiceContext, 'db' | 'log'>, options: { now?: Date; householdIds?: readonly string[] } = {}) {
  const now = options.now ?? new Date();
  if (!options.householdIds) return learnDueAssociations(ctx, now);
  const byZone = new Map<string, string[]>();
  for (const home of await rhythm.zonesOfHomes(ctx.db, options.householdIds)) {
    const ids = byZone.get(home.time_zone);
    if (ids) ids.push(home.household_id);
    else byZone.set(home.time_zone, [home.household_id]);
  }
  let homes = 0;
  let withRhythm = 0;
  for (const [zone, ids] of byZone) {
    await inTransaction(ctx.db, ctx.log, async (tx) => {
      const rows = await rhythm.learnRhythms(tx.db, ids, rulesAt(now, zone));
      await rhythm.moveNextChecks(tx.db, movedChecks(rows, zone, now, false));
      homes += rows.length;
      withRhythm += rows.filter((r) => r.rhythm_usual_hour !== null).length;
    });
  }
  return { associations: [] as string[], homes, withRhythm };
}

/**
 * Whether an association's marker says it is to be learned at `now`: never learned, a run left
 * unfinished, a re-plan pending (a zone change), learned by another zone than its own, or its
 * watch day rolled over since.
 */
function rhythmDue(run: { time_zone: string; watch_day: string | null; learned_zone: string | null; after: string | null; replan: boolean | null }, now: Date): boolean {
  return run.watch_day === null || run.after !== null || run.replan === true || run.learned_zone !== run.time_zone || run.watch_day < watchDayOf(now, run.time_zone);
}

/**
 * Every due association, one after another. One that fails (logged) does not stop the rest:
 * the others are still learned, and the job then fails, so it is retried for the one that did
 * (its marker makes the retry skip those already learned).
 */
async function learnDueAssociations(ctx: Pick<ServiceContext, 'db' | 'log'>, now: Date) {
  const associations: string[] = [];
  const failed: string[] = [];
  let homes = 0;
  let withRhythm = 0;
  for (const run of await rhythm.rhythmRuns(ctx.db)) {
    let learned: { homes: number; withRhythm: number };
    try {
      if (!rhythmDue(run, now)) continue;
      learned = await learnAssociation(ctx, run.association_id, { now });
    } catch (error) {
      ctx.log.error({ err: error, associationId: run.association_id }, 'learning an association\'s watch rhythms failed; the others go on, and the job is retried');
      failed.push(run.association_id);
      continue;
    }
    if (!learned.homes) continue;
    associations.push(run.association_id);
    homes += learned.homes;
    withRhythm += learned.withRhythm;
  }
  ctx.log.info({ associations: associations.length, homes, withRhythm, failed: failed.length }, 'watch rhythms learned');
  if (failed.length) throw new Error(`watch rhythms: ${failed.length} association(s) failed (${failed.join(', ')}); the others were learned`);
  return { associations, homes, withRhythm };
}

/**
 * Learns one association's homes by its clock at `now`, a chunk of homes per transaction
 * with its marker: skipped when the marker says this watch day was learned by this zone and no
 * re-plan is pending, and continued from the marker's last home when a run of the same day and
 * zone was cut short. With a re-plan pending on the marker (a zone change, replanForZone),
 * whichever run comes first (the hourly job or the `watch-rhythm-zone` job) works out every
 * planned next check of each chunk again from the home's last activity, not only those whose
 * rhythm moved — a batch of activity that read the old zone just before the change committed
 * may have planned one by it — and clears it with the last chunk.
 */
export async function learnAssociation(ctx: Pick<ServiceContext, 'db' | 'log'>, associationId: string, options: { now?: Date } = {}) {
  const now = options.now ?? new Date();
  let homes = 0;
  let withRhythm = 0;
  for (;;) {
    const chunk = await inTransaction(ctx.db, ctx.log, async (tx) => {
      // The marker first, then the homes (rhythm.repository.ts, "Lock order").
      const run = await rhythm.lockRun(tx.db, associationId);
      const zone = run.time_zone;
      const today = watchDayOf(now, zone);
      const sameZone = run.learned_zone === zone && run.watch_day !== null;
      if (sameZone && run.after === null && run.watch_day! >= today && !run.replan) return null;
      // A zone change clears `after` with its re-plan, so a pass that continues here began with it.
      const after = sameZone && run.watch_day === today ? run.after : null;
      const ids = await rhythm.lockHomesPage(tx.db, associationId, after, RHYTHM_RULES.batch);
      const rows = ids.length ? await rhythm.learnRhythms(tx.db, ids, rulesAt(now, zone)) : [];
      await rhythm.moveNextChecks(tx.db, movedChecks(rows, zone, now, run.replan));
      const done = ids.length < RHYTHM_RULES.batch;
      await rhythm.saveRun(tx.db, associationId, { watch_day: today, time_zone: zone, after: done ? null : ids.at(-1)!, learned_at: now, replan: done ? false : run.replan });
      return { homes: rows.length, withRhythm: rows.filter((r) => r.rhythm_usual_hour !== null).length, done };
    });
    if (!chunk) break;
    homes += chunk.homes;
    withRhythm += chunk.withRhythm;
    if (chunk.done) break;
  }
  return { homes, withRhythm };
}

/**
 * The association's zone has changed (`zone`, already stored in `tx`). In the zone change's
 * transaction only the cheap part: every planned next check of its homes worked out again
 * from the home's last activity and stored rules by the new clock (quiet hours, the 04:00 watch
 * day, the usual hour all read on it), so no scan sees the new zone with checks planned on the
 * old one; the homes locked in id order, as ingest takes them (rhythm.repository.ts, "Lock
 * order"). A home with a live alert (no next check) keeps none. Relearning the rhythms (hours
 * of the old clock) by the new one is seconds for a big association: it is the
 * `watch-rhythm-zone` job's, queued here, after the commit, in chunks (learnAssociation); the
 * re-plan it owes is recorded on the marker, so the hourly run, if it comes first, does it.
 */
export async function replanForZone(ctx: Pick<ServiceContext, 'jobs'>, tx: Tx, associationId: string, zone: string, now = new Date()) {
  // The marker first, then the homes (rhythm.repository.ts, "Lock order"); its pending re-plan
  // is honoured by whichever run learns next, the hourly one too, not only the job sent here.
  await rhythm.markReplan(tx.db, associationId);
  const homes = await rhythm.lockHomeRules(tx.db, associationId);
  await rhythm.moveNextChecks(
    tx.db,
    homes.filter((h) => h.next_check_at).map((h) => ({ id: h.household_id, next: nextCheckOf(h.last_activity_at ?? now, h, zone).toISOString() })),
  );
  await ctx.jobs.send(tx.db, 'watch-rhythm-zone', { associationId });
  return { homes: homes.length };
}

/** A home's rhythm as its watch page shows it; relearned first when it was last learned before today. */
export async function rhythmOf(ctx: Pick<ServiceContext, 'db' | 'log'>, settings: SettingsRow): Promise<{ settings: SettingsRow; rhythm: WatchRhythm }> {
  const now = new Date();
  if (!settings.rhythm_learned_at || settings.rhythm_learned_at < dayStartOf(now, settings.time_zone)) {
    await learnRhythms(ctx, { now, householdIds: [settings.household_id] });
    settings = (await findSettings(ctx.db, settings.household_id))!;
  }
  return {
    settings,
    rhythm: { usualHour: settings.rhythm_usual_hour, days: settings.rhythm_days, minDays: RHYTHM_RULES.minDays, share: RHYTHM_RULES.share, learnedAt: settings.rhythm_learned_at?.toISOString() ?? null },
  };
}
