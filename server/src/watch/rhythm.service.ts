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
 * away, so both still apply. Learned nightly (the `watch-rhythm` job, 04:10 Asia/Tokyo, the
 * schedules' zone) in batches of homes, one statement a batch and time zone, each zone's homes
 * over that zone's whole watch days before its current one; and for one home when its watch
 * page is opened on a new watch day of its zone.
 */
export const RHYTHM_RULES = { windowDays: 28, share: 0.8, minDays: 7, batch: 500 } as const;

/** The rules a rhythm is learned by at `now` for homes of an association in `zone`: the window is that zone's last 28 whole watch days. */
function rulesAt(now: Date, zone: string): rhythm.RhythmRules {
  const today = watchDayOf(now, zone);
  return {
    timeZone: zone, dayStartHour: DAY_START_HOUR, from: watchDayStart(addDays(today, -RHYTHM_RULES.windowDays), zone), to: watchDayStart(today, zone),
    share: RHYTHM_RULES.share, minDays: RHYTHM_RULES.minDays, learnedAt: now,
  };
}

/**
 * Learns the rhythm of these homes (or of every watched home), and moves the next check of
 * those whose rhythm changed. Each home's days and hours are its association's (a batch is
 * learned in one statement per time zone among its homes).
 */
export async function learnRhythms(ctx: Pick<ServiceContext, 'db' | 'log'>, options: { now?: Date; householdIds?: readonly string[] } = {}) {
  const now = options.now ?? new Date();
  let homes = 0;
  let withRhythm = 0;
  const learnBatch = async (batch: readonly { household_id: string; time_zone: string }[]) => {
    const byZone = new Map<string, string[]>();
    for (const home of batch) {
      const ids = byZone.get(home.time_zone);
      if (ids) ids.push(home.household_id);
      else byZone.set(home.time_zone, [home.household_id]);
    }
    for (const [zone, ids] of byZone) {
      await inTransaction(ctx.db, ctx.log, async (tx) => {
        const rows = await rhythm.learnRhythms(tx.db, ids, rulesAt(now, zone));
        const moved = rows
          .filter((r) => r.before !== r.rhythm_usual_hour && r.next_check_at)
          .map((r) => ({ id: r.household_id, next: nextCheckOf(r.last_activity_at ?? now, r, zone).toISOString() }));
        await rhythm.moveNextChecks(tx.db, moved);
        homes += rows.length;
        withRhythm += rows.filter((r) => r.rhythm_usual_hour !== null).length;
      });
    }
  };
  if (options.householdIds) await learnBatch(await rhythm.zonesOfHomes(ctx.db, options.householdIds));
  else {
    let after: string | null = null;
    for (;;) {
      const page = await rhythm.watchedHomeZones(ctx.db, after, RHYTHM_RULES.batch);
      if (!page.length) break;
      await learnBatch(page);
      after = page.at(-1)!.household_id;
    }
  }
  if (!options.householdIds) ctx.log.info({ homes, withRhythm }, 'watch rhythms learned');
  return { homes, withRhythm };
}

/**
 * The association's zone has changed (`zone`, already stored in `tx`): its homes' rhythms,
 * learned as hours of the old clock, are learned again by the new one, and every planned
 * next check is worked out again from the home's last activity — quiet hours, the 04:00 watch
 * day and the usual hour all read on the new clock. In the zone change's transaction, so no
 * scan sees the new zone with checks planned on the old one. A home with a live alert (no
 * next check) keeps none.
 */
export async function replanForZone(tx: Tx, associationId: string, zone: string, now = new Date()) {
  const ids = await rhythm.watchedHomesOf(tx.db, associationId);
  for (let i = 0; i < ids.length; i += RHYTHM_RULES.batch) {
    const rows = await rhythm.learnRhythms(tx.db, ids.slice(i, i + RHYTHM_RULES.batch), rulesAt(now, zone));
    await rhythm.moveNextChecks(
      tx.db,
      rows.filter((r) => r.next_check_at).map((r) => ({ id: r.household_id, next: nextCheckOf(r.last_activity_at ?? now, r, zone).toISOString() })),
    );
  }
  return { homes: ids.length };
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
