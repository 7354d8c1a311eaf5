import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import { inTransaction, type Tx } from '../platform/db/transaction.js';
import type { ServiceContext } from '../common/service-context.js';
import { HttpError } from '../platform/http/errors.js';
import { requireVisible, type Actor } from '../common/access.js';
import { rooms } from '../contracts/socket.js';
import type { Alert, HouseholdWatch, WatchSettings, WatchSettingsUpdate } from '../contracts/watch.js';
import type { AlertKind, AlertTier } from '../platform/db/schema.js';
import { topics, type Prompt } from '../../../devices/src/protocol.js';
import { membersOf } from '../common/people.repository.js';
import { localDateHour, nextCheckAt } from './watch-time.js';
import type { ActivityEvent } from '../devices/device-ingest.service.js';
import { heldToday } from '../common/people.repository.js';

export type WatchContext = ServiceContext;

const TIER_ORDER: AlertTier[] = ['resident', 'family_captain', 'volunteers', 'officers'];
const PROMPT_TEXT = 'お元気ですか？ 無事なら「無事」ボタンを押してください。助けが必要なら「助けて」ボタンを押してください。';

type SettingsRow = {
  household_id: string; association_id: string; enabled: boolean; inactivity_seconds: number; quiet_start: string | null; quiet_end: string | null;
  offline_minutes: number; prompt_wait_seconds: number; tier_wait_seconds: number; share_with_family: boolean; share_with_captain: boolean;
  share_with_volunteers: boolean; last_activity_at: Date | null; next_check_at: Date | null;
};

const hhmm = (t: string | null) => (t ? t.slice(0, 5) : null);
const quietOf = (s: Pick<SettingsRow, 'quiet_start' | 'quiet_end'>) => (s.quiet_start && s.quiet_end ? { start: hhmm(s.quiet_start)!, end: hhmm(s.quiet_end)! } : null);

export function settingsView(s: SettingsRow): WatchSettings {
  return {
    enabled: s.enabled, inactivityHours: s.inactivity_seconds / 3600, quietHours: quietOf(s), offlineMinutes: s.offline_minutes,
    promptWaitMinutes: s.prompt_wait_seconds / 60, tierWaitMinutes: s.tier_wait_seconds / 60,
    inactivitySeconds: s.inactivity_seconds, promptWaitSeconds: s.prompt_wait_seconds, tierWaitSeconds: s.tier_wait_seconds, shareWithFamily: s.share_with_family,
    shareWithCaptain: s.share_with_captain, shareWithVolunteers: s.share_with_volunteers,
  };
}

/** Every household with a speaker is watched; its rules start at the defaults. */
export async function ensureWatchSettings(db: Db, householdId: string, associationId: string) {
  await db
    .insertInto('watch_settings')
    .values({ household_id: householdId, association_id: associationId, next_check_at: sql`now() + interval '24 hours'` })
    .onConflict((oc) => oc.column('household_id').doNothing())
    .execute();
}

/** When a home is next checked after `from`, on its rules. */
const nextCheckOf = (from: Date, s: Pick<SettingsRow, 'inactivity_seconds' | 'quiet_start' | 'quiet_end'>) =>
  nextCheckAt(from, { inactivityHours: s.inactivity_seconds / 3600, quietHours: quietOf(s) });

/**
 * Runs a step in the caller's unit of work when it has one (device ingest commits a whole
 * batch), or in a transaction of its own.
 */
function unitOfWork<T>(ctx: WatchContext, tx: Tx | undefined, work: (tx: Tx) => Promise<T>): Promise<T> {
  return tx ? work(tx) : inTransaction(ctx.db, ctx.log, work);
}

async function loadSettings(db: Db, householdId: string): Promise<SettingsRow | undefined> {
  return db.selectFrom('watch_settings').selectAll().where('household_id', '=', householdId).executeTakeFirst();
}

// ── Who sees a household's watch data ─────────────────────────────────────────────────

interface Audience {
  family: boolean;
  captain: boolean;
  volunteer: boolean;
  officer: boolean;
  household: boolean;
}

/**
 * What an actor is to a household's watch data, after the household's consent: its own
 * members and the officers always; family, its 班長 and volunteers only as it allows.
 */
type Consent = { share_with_family: boolean; share_with_captain: boolean; share_with_volunteers: boolean };
/** A home without rules yet shares as the defaults do (family and 班長, not volunteers). */
const DEFAULT_CONSENT: Consent = { share_with_family: true, share_with_captain: true, share_with_volunteers: false };

/** The rule itself, on what is already loaded: no queries, so lists can apply it per row. */
function audienceFor(actor: Actor, household: { id: string; blockId: string }, consent: Consent | null): Audience {
  const c = consent ?? DEFAULT_CONSENT;
  return {
    household: actor.householdId === household.id,
    officer: actor.officer,
    family: actor.watcherOf.includes(household.id) && c.share_with_family,
    captain: actor.captainOf.includes(household.blockId) && c.share_with_captain,
    volunteer: (actor.volunteer || actor.welfareCommissioner) && c.share_with_volunteers,
  };
}

/**
 * What an actor is to a household, read only: a home without rules yet is judged on the
 * default consent and nothing is written, so a refused request (404/403) leaves no trace.
 * Callers enrol the home (`enrolled`) only once every check has passed.
 */
async function audienceOf(db: Db, actor: Actor, householdId: string): Promise<{ audience: Audience; blockId: string } | undefined> {
  const household = await db.selectFrom('households').select(['id', 'association_id', 'block_id']).where('id', '=', householdId).executeTakeFirst();
  if (!household || household.association_id !== actor.associationId) return undefined;
  const settings = await loadSettings(db, householdId);
  return { audience: audienceFor(actor, { id: householdId, blockId: household.block_id }, settings ?? null), blockId: household.block_id };
}

/** The home's rules, starting them at the defaults if it has none: only after authorization. */
async function enrolled(db: Db, actor: Actor, householdId: string): Promise<SettingsRow> {
  await ensureWatchSettings(db, householdId, actor.associationId);
  return (await loadSettings(db, householdId))!;
}

/** Whether an alert has reached an actor: a help alert at once, others from their tier on. */
function alertReaches(alert: Alert, audience: Audience) {
  if (!seesWatch(audience) || (alert.kind === 'device_offline' && !audience.officer)) return false;
  return alert.kind === 'help' || TIER_ORDER.indexOf(alert.tier) >= TIER_ORDER.indexOf(seesAlertAt(audience));
}

/**
 * The same rule as `audienceFor` + `seesWatch`, as a where clause over `households as h` and
 * (left-joined) `watch_settings as s`, so lists are scoped in the query: a missing settings
 * row counts as the default consent.
 */
function watchScope(actor: Actor) {
  if (actor.officer) return sql<boolean>`true`;
  const parts = [];
  if (actor.householdId) parts.push(sql`h.id = ${actor.householdId}::uuid`);
  if (actor.watcherOf.length) parts.push(sql`(h.id = any(${actor.watcherOf}::uuid[]) and coalesce(s.share_with_family, ${DEFAULT_CONSENT.share_with_family}))`);
  if (actor.captainOf.length) parts.push(sql`(h.block_id = any(${actor.captainOf}::uuid[]) and coalesce(s.share_with_captain, ${DEFAULT_CONSENT.share_with_captain}))`);
  if (actor.volunteer || actor.welfareCommissioner) parts.push(sql`coalesce(s.share_with_volunteers, ${DEFAULT_CONSENT.share_with_volunteers})`);
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` or `)})` : sql<boolean>`false`;
}

const seesWatch = (a: Audience) => a.household || a.officer || a.family || a.captain || a.volunteer;

/** The tier from which an actor is told about an alert (officers see every one, as it happens). */
function seesAlertAt(a: Audience): AlertTier {
  if (a.officer || a.household) return 'resident';
  if (a.family || a.captain) return 'family_captain';
  return 'volunteers';
}

async function logAccess(db: Db, actor: Actor, householdId: string, what: string) {
  await db.insertInto('watch_access_log').values({ association_id: actor.associationId, person_id: actor.personId, household_id: householdId, what }).execute();
}

// ── Activity ──────────────────────────────────────────────────────────────────────────

/**
 * Signs of life from homes, a batch at a time: counted in their hourly aggregates (one
 * upsert), and each home's next check moved forward (one update). A silent-home alert still
 * at the resident's own prompt is cancelled by it; one that has reached people records it
 * for them to see. A help press raises its alert at once.
 */
export async function recordActivities(ctx: WatchContext, events: ActivityEvent[]) {
  if (!events.length) return;
  const homes = new Map<string, { associationId: string; latest: Date }>();
  const hourly = new Map<string, { household_id: string; hour: Date; presence: number; buttons: number; voice: number }>();
  for (const e of events) {
    const home = homes.get(e.householdId);
    if (!home || home.latest < e.at) homes.set(e.householdId, { associationId: e.associationId, latest: e.at });
    const hour = new Date(Math.floor(e.at.getTime() / 3600_000) * 3600_000);
    const key = `${e.householdId}|${hour.getTime()}`;
    const row = hourly.get(key) ?? { household_id: e.householdId, hour, presence: 0, buttons: 0, voice: 0 };
    if (e.type === 'presence') row.presence += e.count ?? 1;
    else if (e.type === 'button') row.buttons += 1;
    else row.voice += 1;
    hourly.set(key, row);
  }
  const householdIds = [...homes.keys()];
  await ctx.db
    .insertInto('watch_settings')
    .values(householdIds.map((id) => ({ household_id: id, association_id: homes.get(id)!.associationId })))
    .onConflict((oc) => oc.column('household_id').doNothing())
    .execute();
  await ctx.db
    .insertInto('activity_hourly')
    .values([...hourly.values()])
    .onConflict((oc) =>
      oc.columns(['household_id', 'hour']).doUpdateSet((eb) => ({
        presence: eb('activity_hourly.presence', '+', eb.ref('excluded.presence')),
        buttons: eb('activity_hourly.buttons', '+', eb.ref('excluded.buttons')),
        voice: eb('activity_hourly.voice', '+', eb.ref('excluded.voice')),
      })),
    )
    .execute();
  const settings = await ctx.db.selectFrom('watch_settings').selectAll().where('household_id', 'in', householdIds).execute();
  const moved = settings
    .filter((st) => !st.last_activity_at || st.last_activity_at < homes.get(st.household_id)!.latest)
    .map((st) => {
      const latest = homes.get(st.household_id)!.latest;
      return { id: st.household_id, at: latest.toISOString(), next: nextCheckAt(latest, { inactivityHours: st.inactivity_hours, quietHours: quietOf(st) }).toISOString() };
    });
  if (moved.length) {
    await sql`
      update watch_settings s set last_activity_at = v.at, next_check_at = v.next
      from jsonb_to_recordset(${JSON.stringify(moved)}::jsonb) as v(id uuid, at timestamptz, next timestamptz)
      where s.household_id = v.id and (s.last_activity_at is null or s.last_activity_at < v.at)`.execute(ctx.db);
  }
  for (const e of events.filter((x) => x.type === 'button' && x.button === 'help')) await raiseHelp(ctx, e.householdId, e.associationId);
  const silent = await ctx.db.selectFrom('watch_alerts').select(['id', 'tier', 'household_id']).where('household_id', 'in', householdIds).where('kind', '=', 'silent').where('status', 'in', ['open', 'taken']).execute();
  for (const alert of silent) {
    const what = events.filter((e) => e.householdId === alert.household_id).map((e) => e.type).join(',');
    if (alert.tier === 'resident') await closeAlert(ctx, alert.id, { status: 'cancelled', outcome: 'fine', note: '', what: 'activity', personId: null });
    else await addEvent(ctx, alert.id, 'activity', null, null, what);
  }
}

export function recordActivity(ctx: WatchContext, event: ActivityEvent) {
  return recordActivities(ctx, [event]);
}

/** The resident answered a watch prompt from the speaker: safe closes it, help raises everyone. */
export async function recordPromptAnswer(ctx: WatchContext, input: { householdId: string; associationId: string; promptId: string; button: 'safe' | 'help'; at: Date }) {
  const alert = await ctx.db.selectFrom('watch_alerts').select(['id', 'status']).where('id', '=', input.promptId).where('household_id', '=', input.householdId).executeTakeFirst();
  if (!alert) return false;
  if (input.button === 'help') await raiseHelp(ctx, input.householdId, input.associationId);
  else if (alert.status === 'open' || alert.status === 'taken') {
    await closeAlert(ctx, alert.id, { status: 'resolved', outcome: 'fine', note: '本人が「無事」ボタンで応答', what: 'resident_safe', personId: null });
  }
  // A press is also a sign of life (counted, and it moves the next check on); help was raised above.
  await recordActivity(ctx, { householdId: input.householdId, associationId: input.associationId, at: input.at, type: 'button' });
  return true;
}

// ── Alerts ────────────────────────────────────────────────────────────────────────────

async function addEvent(ctx: WatchContext, alertId: string, what: string, tier: AlertTier | null, personId: string | null, detail = '') {
  await ctx.db.insertInto('watch_alert_events').values({ alert_id: alertId, what, tier, person_id: personId, detail }).execute();
}

/** The rooms and people told about an alert at a tier, after the household's consent. */
async function audienceAt(ctx: WatchContext, alert: { association_id: string; household_id: string }, tier: AlertTier) {
  const settings = (await loadSettings(ctx.db, alert.household_id))!;
  const household = await ctx.db.selectFrom('households').select('block_id').where('id', '=', alert.household_id).executeTakeFirstOrThrow();
  const targets: string[] = [rooms.officers(alert.association_id), rooms.household(alert.household_id)];
  const roles: ('family_watcher' | 'captain' | 'volunteer' | 'welfare_commissioner' | 'officer')[] = [];
  const reached = TIER_ORDER.indexOf(tier);
  if (reached >= 1) {
    if (settings.share_with_family) roles.push('family_watcher');
    if (settings.share_with_captain) {
      roles.push('captain');
      targets.push(rooms.block(household.block_id));
    }
  }
  if (reached >= 2 && settings.share_with_volunteers) {
    roles.push('volunteer', 'welfare_commissioner');
    targets.push(rooms.volunteers(alert.association_id));
  }
  if (reached >= 3) roles.push('officer');
  const people = roles.length
    ? await ctx.db
        .selectFrom('role_assignments')
        .select('person_id')
        .distinct()
        .where('association_id', '=', alert.association_id)
        .where('role', 'in', roles)
        .where((eb) =>
          eb.or([
            eb('role', 'in', ['volunteer', 'welfare_commissioner', 'officer']),
            eb.and([eb('role', '=', 'family_watcher'), eb('household_id', '=', alert.household_id)]),
            eb.and([eb('role', '=', 'captain'), eb('block_id', '=', household.block_id)]),
          ]),
        )
        .where(heldToday)
        .execute()
    : [];
  for (const p of people) targets.push(rooms.person(p.person_id));
  return { targets, personIds: people.map((p) => p.person_id) };
}

async function announce(ctx: WatchContext, alertId: string, notifyPush: boolean) {
  const alert = await ctx.db.selectFrom('watch_alerts').innerJoin('households', 'households.id', 'watch_alerts.household_id').select(['watch_alerts.id', 'watch_alerts.association_id', 'watch_alerts.household_id', 'watch_alerts.kind', 'watch_alerts.tier', 'watch_alerts.status', 'households.name']).where('watch_alerts.id', '=', alertId).executeTakeFirstOrThrow();
  const { targets, personIds } = await audienceAt(ctx, alert, alert.tier);
  ctx.realtime.emit(targets, 'watch:alert', { alertId, householdId: alert.household_id, kind: alert.kind, tier: alert.tier, status: alert.status });
  if (notifyPush && personIds.length) {
    const title = alert.kind === 'help' ? `【助けて】${alert.name}` : alert.kind === 'silent' ? `【見守り】${alert.name} から応答がありません` : `【端末】${alert.name} のスピーカーが接続されていません`;
    await ctx.push.sendToPeople(personIds, { title, body: '見守りの通知を確認してください。', url: `${ctx.publicUrl}/watch/alerts/${alertId}` });
  }
}

async function sendPrompt(ctx: WatchContext, alertId: string, devices: { id: string; association_id: string }[], seconds: number) {
  const prompt: Prompt = { id: alertId, kind: 'watch', text: PROMPT_TEXT, buttons: ['safe', 'help'], expiresAt: new Date(Date.now() + seconds * 1000).toISOString() };
  for (const device of devices) await ctx.mqtt.publish(topics.downlink(device.association_id, device.id, 'prompt'), prompt);
}

/**
 * A home gone silent: the resident is asked first, through the speaker; the people in the
 * next tier are told only if nobody answers within the wait. One live alert per home: a
 * second scan, or a second instance, finds the first and stops. The alert, the cleared
 * next check, its first event and the next tier's job are one transaction; the prompt and
 * the announcement go out after it commits.
 */
export async function raiseSilent(ctx: WatchContext, settings: SettingsRow) {
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const alert = await tx.db
      .insertInto('watch_alerts')
      .values({ association_id: settings.association_id, household_id: settings.household_id, kind: 'silent', tier: 'resident' })
      .onConflict((oc) => oc.columns(['household_id', 'kind']).where('status', 'in', ['open', 'taken']).doNothing())
      .returning('id')
      .executeTakeFirst();
    await tx.db.updateTable('watch_settings').set({ next_check_at: null }).where('household_id', '=', settings.household_id).execute();
    if (!alert) {
      ctx.log.info({ householdId: settings.household_id }, 'silent home skipped: its alert is already live');
      return undefined;
    }
    const devices = await tx.db.selectFrom('devices').select(['id', 'association_id']).where('household_id', '=', settings.household_id).where('revoked_at', 'is', null).execute();
    const prompted = devices.length > 0;
    await addEvent({ ...ctx, db: tx.db }, alert.id, prompted ? 'prompted' : 'no_speaker', 'resident', null, settings.last_activity_at ? `last activity ${settings.last_activity_at.toISOString()}` : '');
    await ctx.jobs.send(
      tx.db,
      'watch-escalate',
      { alertId: alert.id, tier: 'family_captain' },
      { startAfter: new Date(Date.now() + (prompted ? settings.prompt_wait_seconds : 0) * 1000), singletonKey: `${alert.id}:family_captain` },
    );
    tx.afterCommit(() => sendPrompt(ctx, alert.id, devices, settings.prompt_wait_seconds));
    tx.afterCommit(() => announce(ctx, alert.id, false));
    return alert.id;
  });
}

/**
 * 助けて: every tier at once, no waiting. The alert and its event are one unit of work (the
 * caller's, when it passes one); everyone is told after the commit.
 */
export async function raiseHelp(ctx: WatchContext, householdId: string, associationId: string, tx?: Tx) {
  return unitOfWork(ctx, tx, async (tx) => {
    await ensureWatchSettings(tx.db, householdId, associationId);
    const inserted = await tx.db
      .insertInto('watch_alerts')
      .values({ association_id: associationId, household_id: householdId, kind: 'help', tier: 'officers' })
      .onConflict((oc) => oc.columns(['household_id', 'kind']).where('status', 'in', ['open', 'taken']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      ctx.log.info({ householdId }, 'help press skipped: a help alert is already live for the home');
      return undefined;
    }
    await addEvent({ ...ctx, db: tx.db }, inserted.id, 'help_pressed', 'officers', null);
    tx.afterCommit(() => announce(ctx, inserted.id, true));
    return inserted.id;
  });
}

/**
 * One tier step of a silent-home alert, run by a durable job. The tier, its unique
 * (alert, tier) marker and the next tier's job are one transaction, so the step happens
 * once even if two instances run the job, and a crash leaves all of it or none; an alert
 * someone has taken, or that is closed, goes no further. People are told after the commit.
 */
export async function escalate(ctx: WatchContext, alertId: string, tier: AlertTier) {
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const alert = await tx.db.selectFrom('watch_alerts').select(['id', 'status', 'tier', 'household_id']).where('id', '=', alertId).forUpdate().executeTakeFirst();
    if (!alert || alert.status !== 'open') {
      ctx.log.info({ alertId, tier, status: alert?.status ?? 'gone' }, 'watch escalation skipped: the alert is taken, closed or gone');
      return false;
    }
    if (TIER_ORDER.indexOf(alert.tier) >= TIER_ORDER.indexOf(tier)) {
      ctx.log.info({ alertId, tier, at: alert.tier }, 'watch escalation skipped: the alert has already reached this tier');
      return false;
    }
    const marked = await tx.db
      .insertInto('watch_alert_events')
      .values({ alert_id: alertId, what: 'escalated', tier, person_id: null })
      .onConflict((oc) => oc.columns(['alert_id', 'tier']).where('what', '=', 'escalated').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!marked) {
      ctx.log.info({ alertId, tier }, 'watch escalation skipped: already done (its marker is present)');
      return false;
    }
    await tx.db.updateTable('watch_alerts').set({ tier }).where('id', '=', alertId).execute();
    const next = TIER_ORDER[TIER_ORDER.indexOf(tier) + 1];
    // The resident is asked first, by the scan; escalation jobs are only for the tiers after it.
    if (next && next !== 'resident') {
      const settings = (await loadSettings(tx.db, alert.household_id))!;
      await ctx.jobs.send(tx.db, 'watch-escalate', { alertId, tier: next }, { startAfter: new Date(Date.now() + settings.tier_wait_seconds * 1000), singletonKey: `${alertId}:${next}` });
    }
    tx.afterCommit(() => announce(ctx, alertId, true));
    return true;
  });
}

async function closeAlert(ctx: WatchContext, alertId: string, close: { status: 'resolved' | 'cancelled'; outcome: string; note: string; what: string; personId: string | null }) {
  const closed = await ctx.db
    .updateTable('watch_alerts')
    .set({ status: close.status, outcome: close.outcome, note: close.note, resolved_at: new Date(), resolved_by: close.personId })
    .where('id', '=', alertId)
    .where('status', 'in', ['open', 'taken'])
    .returning('id')
    .executeTakeFirst();
  if (!closed) return false;
  await addEvent(ctx, alertId, close.what, null, close.personId, close.note);
  await announce(ctx, alertId, false);
  return true;
}

// ── The scan: silent homes and silent devices, found by index ─────────────────────────

export async function scan(ctx: WatchContext, limit = 1000) {
  const now = new Date();
  const due = await ctx.db
    .selectFrom('watch_settings')
    .selectAll()
    .where('enabled', '=', true)
    .where('next_check_at', '<=', now)
    .orderBy('next_check_at')
    .limit(limit)
    .execute();
  let raised = 0;
  for (const settings of due) {
    const away = await ctx.db
      .selectFrom('watch_away_periods')
      .select('ends_at')
      .where('household_id', '=', settings.household_id)
      .where('starts_at', '<=', now)
      .where('ends_at', '>', now)
      .orderBy('ends_at', 'desc')
      .executeTakeFirst();
    if (away) {
      // Away (travel, hospital): look again a threshold after they are back.
      const resume = nextCheckOf(away.ends_at, settings);
      await ctx.db.updateTable('watch_settings').set({ next_check_at: resume }).where('household_id', '=', settings.household_id).execute();
      continue;
    }
    // A home whose speakers were heard from and have all gone offline is not silent: its
    // device is (the device-offline alert covers it). Look again in an hour.
    const speakers = await ctx.db.selectFrom('devices').select(['online', 'last_seen_at']).where('household_id', '=', settings.household_id).where('revoked_at', 'is', null).execute();
    if (speakers.length > 0 && speakers.every((d) => !d.online && d.last_seen_at !== null)) {
      await ctx.db.updateTable('watch_settings').set({ next_check_at: new Date(now.getTime() + 3600_000) }).where('household_id', '=', settings.household_id).execute();
      continue;
    }
    // One home's failure (its transaction rolled back, so it is still due) must not stop the
    // scan for every other home: it is logged and the next scan takes it up again.
    try {
      if (await raiseSilent(ctx, settings)) raised++;
    } catch (error) {
      ctx.log.error({ err: error, householdId: settings.household_id }, 'raising a silent-home alert failed; the next scan retries it');
    }
  }

  // Devices not heard from: no heartbeat within the household's offline time, or a last
  // will (online = false) that was not followed by a reconnect within five minutes.
  const silentDevices = await ctx.db
    .selectFrom('devices')
    // A home without rules yet is checked on the defaults.
    .leftJoin('watch_settings', 'watch_settings.household_id', 'devices.household_id')
    .select(['devices.id', 'devices.association_id', 'devices.household_id'])
    .where('devices.revoked_at', 'is', null)
    .where('devices.household_id', 'is not', null)
    .where('devices.last_seen_at', '<', sql<Date>`now() - interval '5 minutes'`)
    .where((eb) => eb.or([eb('devices.online', '=', false), eb('devices.last_seen_at', '<', sql<Date>`now() - make_interval(mins => coalesce(watch_settings.offline_minutes, 30))`)]))
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('watch_alerts').select('watch_alerts.id').whereRef('watch_alerts.device_id', '=', 'devices.id').where('watch_alerts.kind', '=', 'device_offline').where('watch_alerts.status', 'in', ['open', 'taken']))),
    )
    .limit(limit)
    .execute();
  let offline = 0;
  for (const device of silentDevices) {
    // The device marked offline, its alert and the alert's event: one transaction; officers are told after it.
    const raised = await inTransaction(ctx.db, ctx.log, async (tx) => {
      await tx.db.updateTable('devices').set({ online: false }).where('id', '=', device.id).execute();
      const alert = await tx.db
        .insertInto('watch_alerts')
        .values({ association_id: device.association_id, household_id: device.household_id!, device_id: device.id, kind: 'device_offline', tier: 'officers' })
        .onConflict((oc) => oc.columns(['household_id', 'kind']).where('status', 'in', ['open', 'taken']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!alert) {
        ctx.log.info({ deviceId: device.id, householdId: device.household_id }, 'offline device skipped: its home already has a live device alert');
        return false;
      }
      await addEvent({ ...ctx, db: tx.db }, alert.id, 'device_offline', 'officers', null);
      tx.afterCommit(() =>
        ctx.realtime.emit([rooms.officers(device.association_id)], 'watch:alert', { alertId: alert.id, householdId: device.household_id!, kind: 'device_offline', tier: 'officers', status: 'open' }),
      );
      return true;
    });
    if (raised) offline++;
  }
  return { raised, offline };
}

/** Devices heard from again close their offline alerts. */
export async function devicesBack(ctx: WatchContext, deviceIds: string[]) {
  if (!deviceIds.length) return;
  const open = await ctx.db.selectFrom('watch_alerts').select('id').where('device_id', 'in', deviceIds).where('kind', '=', 'device_offline').where('status', 'in', ['open', 'taken']).execute();
  for (const alert of open) await closeAlert(ctx, alert.id, { status: 'resolved', outcome: 'device_fixed', note: '端末が再接続しました', what: 'device_back', personId: null });
}

/** Raw device events past their retention are deleted; hourly aggregates and alerts stay. */
export async function deleteOldEvents(ctx: WatchContext, retentionDays: number) {
  const result = await ctx.db.deleteFrom('device_messages').where('received_at', '<', sql<Date>`now() - make_interval(days => ${retentionDays})`).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ── People acting on alerts ───────────────────────────────────────────────────────────

async function loadAlerts(ctx: WatchContext, where: { associationId: string; ids?: string[]; householdIds?: string[]; live?: boolean; visibleTo?: Actor }) {
  const rows = await ctx.db
    .selectFrom('watch_alerts as a')
    .innerJoin('households as h', 'h.id', 'a.household_id')
    .innerJoin('blocks as b', 'b.id', 'h.block_id')
    .leftJoin('devices as d', 'd.id', 'a.device_id')
    .leftJoin('people as t', 't.id', 'a.taken_by')
    .leftJoin('watch_settings as s', 's.household_id', 'a.household_id')
    .select([
      'a.id', 'a.kind', 'a.status', 'a.tier', 'a.raised_at', 'a.taken_at', 'a.resolved_at', 'a.outcome', 'a.note', 'a.household_id',
      'h.household_number', 'h.name', 'h.address', 'h.responder_notes', 'b.name as block_name', 'h.block_id',
      'd.id as device_id', 'd.label as device_label', 't.name as taken_by_name', 's.last_activity_at',
      's.share_with_family', 's.share_with_captain', 's.share_with_volunteers',
    ])
    .where('a.association_id', '=', where.associationId)
    .$if(!!where.ids, (q) => q.where('a.id', 'in', where.ids!.length ? where.ids! : ['00000000-0000-0000-0000-000000000000']))
    .$if(!!where.householdIds, (q) => q.where('a.household_id', 'in', where.householdIds!.length ? where.householdIds! : ['00000000-0000-0000-0000-000000000000']))
    .$if(!!where.visibleTo, (q) => q.where(watchScope(where.visibleTo!)).$if(!where.visibleTo!.officer, (q2) => q2.where('a.kind', '!=', 'device_offline')))
    .$if(where.live === true, (q) => q.where('a.status', 'in', ['open', 'taken']))
    .$if(where.live === false, (q) => q.where('a.status', 'in', ['resolved', 'cancelled']))
    .orderBy('a.raised_at', 'desc')
    .limit(200)
    .execute();
  const ids = rows.map((r) => r.id);
  const [members, events] = await Promise.all([
    membersOf(ctx.db, [...new Set(rows.map((r) => r.household_id))]),
    ids.length
      ? ctx.db.selectFrom('watch_alert_events as e').leftJoin('people as p', 'p.id', 'e.person_id').select(['e.alert_id', 'e.at', 'e.what', 'e.tier', 'e.detail', 'p.name']).where('e.alert_id', 'in', ids).orderBy('e.at').orderBy('e.id').execute()
      : [],
  ]);
  return rows.map((r) => ({
    blockId: r.block_id,
    consent: r.share_with_family === null ? null : { share_with_family: r.share_with_family, share_with_captain: r.share_with_captain!, share_with_volunteers: r.share_with_volunteers! },
    alert: {
      id: r.id, kind: r.kind, status: r.status, tier: r.tier, raisedAt: r.raised_at.toISOString(),
      household: { id: r.household_id, householdNumber: r.household_number, name: r.name, address: r.address, blockName: r.block_name, responderNotes: r.responder_notes, members: members.get(r.household_id) ?? [] },
      device: r.device_id ? { id: r.device_id, label: r.device_label! } : null,
      takenBy: r.taken_by_name, takenAt: r.taken_at?.toISOString() ?? null, resolvedAt: r.resolved_at?.toISOString() ?? null,
      outcome: r.outcome as Alert['outcome'], note: r.note, lastActivityAt: r.last_activity_at?.toISOString() ?? null,
      events: events.filter((e) => e.alert_id === r.id).map((e) => ({ at: e.at.toISOString(), what: e.what, tier: e.tier, personName: e.name, detail: e.detail })),
    } satisfies Alert,
  }));
}

/** The alerts an actor is to act on: those of homes that share with them, once the alert has reached their tier. */
export async function listAlerts(ctx: WatchContext, actor: Actor, live: boolean) {
  // Homes are scoped in the query; how far each alert has climbed (its tier) is then per row.
  const candidates = await loadAlerts(ctx, { associationId: actor.associationId, live, visibleTo: actor });
  return {
    items: candidates
      .filter(({ alert, blockId, consent }) => alertReaches(alert, audienceFor(actor, { id: alert.household.id, blockId }, consent)))
      .map(({ alert }) => alert),
  };
}

async function actionableAlert(ctx: WatchContext, actor: Actor, alertId: string) {
  const [loaded] = await loadAlerts(ctx, { associationId: actor.associationId, ids: [alertId] });
  const audience = loaded && audienceFor(actor, { id: loaded.alert.household.id, blockId: loaded.blockId }, loaded.consent);
  // The household itself is told, but acting on its own alert is for the people around it.
  requireVisible(!!loaded && !!audience && !audience.household && alertReaches(loaded.alert, audience), 'alert');
  return loaded!.alert;
}

/** Someone takes the alert ("I'll go"): the chain stops there. */
export async function takeAlert(ctx: WatchContext, actor: Actor, alertId: string) {
  const alert = await actionableAlert(ctx, actor, alertId);
  const taken = await ctx.db
    .updateTable('watch_alerts')
    .set({ status: 'taken', taken_at: new Date(), taken_by: actor.personId })
    .where('id', '=', alertId)
    .where('status', '=', 'open')
    .returning('id')
    .executeTakeFirst();
  if (!taken) throw HttpError.conflict(alert.status === 'taken' ? `${alert.takenBy ?? 'Someone'} has already taken this alert.` : 'This alert is closed.');
  await addEvent(ctx, alertId, 'taken', null, actor.personId);
  await announce(ctx, alertId, false);
  return (await loadAlerts(ctx, { associationId: actor.associationId, ids: [alertId] }))[0]!.alert;
}

export async function resolveAlert(ctx: WatchContext, actor: Actor, alertId: string, outcome: string, note: string) {
  await actionableAlert(ctx, actor, alertId);
  if (!(await closeAlert(ctx, alertId, { status: 'resolved', outcome, note, what: 'resolved', personId: actor.personId }))) throw HttpError.conflict('This alert is already closed.');
  return (await loadAlerts(ctx, { associationId: actor.associationId, ids: [alertId] }))[0]!.alert;
}

// ── Households' watch views and rules ─────────────────────────────────────────────────

/** Homes the actor watches, with their state: the watch board. */
export async function watchBoard(ctx: WatchContext, actor: Actor) {
  const households = await ctx.db
    .selectFrom('watch_settings as s')
    .innerJoin('households as h', 'h.id', 's.household_id')
    .innerJoin('blocks as b', 'b.id', 'h.block_id')
    .select(['h.id', 'h.household_number', 'h.name', 'b.name as block_name', 'h.block_id', 's.last_activity_at', 's.share_with_family', 's.share_with_captain', 's.share_with_volunteers'])
    .where('s.association_id', '=', actor.associationId)
    .where(watchScope(actor))
    .orderBy('b.sort_order')
    .orderBy('h.household_number')
    .execute();
  const visible = households;
  const ids = visible.map((h) => h.id);
  const [devices, alerts, away] = ids.length
    ? await Promise.all([
        ctx.db.selectFrom('devices').select(['id', 'label', 'online', 'household_id', 'last_heartbeat']).where('household_id', 'in', ids).where('revoked_at', 'is', null).execute(),
        ctx.db.selectFrom('watch_alerts').select(['id', 'kind', 'tier', 'status', 'household_id']).where('household_id', 'in', ids).where('status', 'in', ['open', 'taken']).execute(),
        ctx.db.selectFrom('watch_away_periods').select('household_id').where('household_id', 'in', ids).where('starts_at', '<=', new Date()).where('ends_at', '>', new Date()).execute(),
      ])
    : [[], [], []];
  if (ids.length) await ctx.db.insertInto('watch_access_log').values(ids.map((id) => ({ association_id: actor.associationId, person_id: actor.personId, household_id: id, what: 'board' }))).execute();
  return {
    items: visible.map((h) => ({
      householdId: h.id, householdNumber: h.household_number, name: h.name, blockName: h.block_name, lastActivityAt: h.last_activity_at?.toISOString() ?? null,
      away: away.some((a) => a.household_id === h.id),
      devices: devices.filter((d) => d.household_id === h.id).map((d) => ({ id: d.id, label: d.label, online: d.online, battery: (d.last_heartbeat as { battery?: number | null } | null)?.battery ?? null })),
      liveAlerts: alerts.filter((a) => a.household_id === h.id).map((a) => ({ id: a.id, kind: a.kind, tier: a.tier, status: a.status })),
    })),
  };
}

export async function householdWatch(ctx: WatchContext, actor: Actor, householdId: string): Promise<HouseholdWatch> {
  const found = await audienceOf(ctx.db, actor, householdId);
  requireVisible(!!found && seesWatch(found.audience), 'household');
  const { audience } = found!;
  const settings = await enrolled(ctx.db, actor, householdId);
  await logAccess(ctx.db, actor, householdId, 'activity');
  const since = new Date(Date.now() - 14 * 86_400_000);
  const [household, hours, away, alerts] = await Promise.all([
    ctx.db.selectFrom('households').select('name').where('id', '=', householdId).executeTakeFirstOrThrow(),
    ctx.db.selectFrom('activity_hourly').select(['hour', 'presence', 'buttons', 'voice']).where('household_id', '=', householdId).where('hour', '>=', since).execute(),
    ctx.db.selectFrom('watch_away_periods').select(['id', 'starts_at', 'ends_at', 'reason']).where('household_id', '=', householdId).where('ends_at', '>', new Date()).orderBy('starts_at').execute(),
    loadAlerts(ctx, { associationId: actor.associationId, householdIds: [householdId] }),
  ]);
  const days: HouseholdWatch['days'] = [];
  for (let d = 13; d >= 0; d--) days.push({ date: localDateHour(new Date(Date.now() - d * 86_400_000)).date, hours: Array(24).fill(0) });
  for (const h of hours) {
    const { date, hour } = localDateHour(h.hour);
    const day = days.find((x) => x.date === date);
    if (day) day.hours[hour]! += h.presence + h.buttons + h.voice;
  }
  return {
    householdId, name: household.name, settings: settingsView(settings),
    canEditSettings: audience.officer || audience.household || audience.family,
    canEditConsent: audience.household || audience.officer,
    lastActivityAt: settings.last_activity_at?.toISOString() ?? null,
    nextCheckAt: settings.next_check_at?.toISOString() ?? null,
    days,
    away: away.map((a) => ({ id: a.id, startsAt: a.starts_at.toISOString(), endsAt: a.ends_at.toISOString(), reason: a.reason })),
    alerts: alerts.map((a) => a.alert).filter((a) => a.kind !== 'device_offline' || audience.officer).slice(0, 20),
  };
}

export async function updateSettings(ctx: WatchContext, actor: Actor, householdId: string, input: WatchSettingsUpdate) {
  const found = await audienceOf(ctx.db, actor, householdId);
  requireVisible(!!found && seesWatch(found.audience), 'household');
  const { audience } = found!;
  if (!(audience.officer || audience.household || audience.family)) throw HttpError.forbidden('Only the household, its family and officers can change its watch rules.');
  const consent = input.shareWithFamily !== undefined || input.shareWithCaptain !== undefined || input.shareWithVolunteers !== undefined;
  if (consent && !(audience.household || audience.officer)) throw HttpError.forbidden('Only the household (or an officer on its behalf) decides who may see its watch data.');
  const settings = await enrolled(ctx.db, actor, householdId);
  const inactivitySeconds = input.inactivitySeconds ?? (input.inactivityHours !== undefined ? input.inactivityHours * 3600 : settings.inactivity_seconds);
  const quietHours = input.quietHours !== undefined ? input.quietHours : quietOf(settings);
  const promptWaitSeconds = input.promptWaitSeconds ?? (input.promptWaitMinutes !== undefined ? input.promptWaitMinutes * 60 : undefined);
  const tierWaitSeconds = input.tierWaitSeconds ?? (input.tierWaitMinutes !== undefined ? input.tierWaitMinutes * 60 : undefined);
  await ctx.db
    .updateTable('watch_settings')
    .set({
      ...(input.enabled !== undefined && { enabled: input.enabled }),
      inactivity_seconds: inactivitySeconds,
      quiet_start: quietHours?.start ?? null,
      quiet_end: quietHours?.end ?? null,
      ...(input.offlineMinutes !== undefined && { offline_minutes: input.offlineMinutes }),
      ...(promptWaitSeconds !== undefined && { prompt_wait_seconds: promptWaitSeconds }),
      ...(tierWaitSeconds !== undefined && { tier_wait_seconds: tierWaitSeconds }),
      ...(input.shareWithFamily !== undefined && { share_with_family: input.shareWithFamily }),
      ...(input.shareWithCaptain !== undefined && { share_with_captain: input.shareWithCaptain }),
      ...(input.shareWithVolunteers !== undefined && { share_with_volunteers: input.shareWithVolunteers }),
      // New rules, new next check (unless an alert is already running for the home).
      ...(settings.next_check_at && { next_check_at: nextCheckAt(settings.last_activity_at ?? new Date(), { inactivityHours: inactivitySeconds / 3600, quietHours }) }),
      updated_at: new Date(),
    })
    .where('household_id', '=', householdId)
    .execute();
  await logAccess(ctx.db, actor, householdId, 'settings_changed');
  return householdWatch(ctx, actor, householdId);
}

export async function addAway(ctx: WatchContext, actor: Actor, householdId: string, input: { startsAt: string; endsAt: string; reason: string }) {
  const found = await audienceOf(ctx.db, actor, householdId);
  requireVisible(!!found && seesWatch(found.audience), 'household');
  if (!(found!.audience.household || found!.audience.family || found!.audience.officer)) throw HttpError.forbidden('Only the household, its family and officers can set away periods.');
  if (Date.parse(input.endsAt) <= Date.now()) throw HttpError.badRequest('The away period is already over.', 'endsAt');
  await ctx.db
    .insertInto('watch_away_periods')
    .values({ household_id: householdId, association_id: actor.associationId, starts_at: input.startsAt, ends_at: input.endsAt, reason: input.reason, created_by: actor.personId })
    .execute();
  return householdWatch(ctx, actor, householdId);
}

export async function removeAway(ctx: WatchContext, actor: Actor, householdId: string, awayId: string) {
  const found = await audienceOf(ctx.db, actor, householdId);
  requireVisible(!!found && (found.audience.household || found.audience.family || found.audience.officer), 'household');
  const deleted = await ctx.db.deleteFrom('watch_away_periods').where('id', '=', awayId).where('household_id', '=', householdId).executeTakeFirst();
  requireVisible(Number(deleted.numDeletedRows) > 0, 'away period');
  return householdWatch(ctx, actor, householdId);
}

export async function accessLog(ctx: WatchContext, actor: Actor) {
  if (!actor.officer) throw HttpError.forbidden('Only officers can read the watch access log.');
  const rows = await ctx.db
    .selectFrom('watch_access_log as l')
    .innerJoin('households as h', 'h.id', 'l.household_id')
    .leftJoin('people as p', 'p.id', 'l.person_id')
    .select(['l.at', 'p.name', 'h.name as household_name', 'l.what'])
    .where('l.association_id', '=', actor.associationId)
    .orderBy('l.at', 'desc')
    .limit(500)
    .execute();
  return { items: rows.map((r) => ({ at: r.at.toISOString(), personName: r.name, householdName: r.household_name, what: r.what })) };
}

export type { AlertKind };
