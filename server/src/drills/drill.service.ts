import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import { inTransaction, type Tx } from '../platform/db/transaction.js';
import { fanOutPages } from '../platform/jobs/fan-out.js';
import { stableJobId } from '../platform/jobs/jobs.js';
import type { ServiceContext } from '../common/service-context.js';
import { HttpError } from '../platform/http/errors.js';
import { policy, requireRole, requireVisible, type Actor } from '../common/access.js';
import { rooms } from '../contracts/socket.js';
import type { Dashboard, DrillReport, DrillSummary, TargetView } from '../contracts/drills.js';
import { topics, type Prompt } from '../../../devices/src/protocol.js';
import { membersOf } from '../common/people.repository.js';
import { audit } from '../common/audit.repository.js';
import { heldToday } from '../common/people.repository.js';
import { claimRequestKey, requestKey, type RequestKey } from '../platform/http/idempotency.js';
import { transactionOn } from '../common/service-context-tx.js';

export type DrillContext = ServiceContext;

type Status = 'safe' | 'needs_help' | 'injured';
type Where = 'home' | 'evacuated' | 'away';
const NIL = '00000000-0000-0000-0000-000000000000';

async function findDrill(db: Db, id: string) {
  return db.selectFrom('drills').selectAll().where('id', '=', id).executeTakeFirst();
}
type DrillRow = NonNullable<Awaited<ReturnType<typeof findDrill>>>;

/** `blocks`: count only these 班 (a 班長's report), else the whole drill. */
async function summaries(db: Db, drills: DrillRow[], blocks?: string[]): Promise<DrillSummary[]> {
  const ids = drills.map((d) => d.id);
  const counts = ids.length
    ? await db.selectFrom('drill_targets').select(['drill_id', sql<number>`count(*)::int`.as('total'), sql<number>`count(accounted_at)::int`.as('accounted')]).where('drill_id', 'in', ids)
      .$if(!!blocks, (q) => q.where('block_id', 'in', blocks!.length ? blocks! : [NIL])).groupBy('drill_id').execute()
    : [];
  return drills.map((d) => {
    const c = counts.find((x) => x.drill_id === d.id);
    return {
      id: d.id, kind: d.kind, status: d.status, title: d.title, message: d.message, announced: d.announced, startedAt: d.started_at.toISOString(),
      deadlineAt: d.deadline_at.toISOString(), endedAt: d.ended_at?.toISOString() ?? null, total: c?.total ?? 0, accounted: c?.accounted ?? 0,
    };
  });
}

async function drillOf(ctx: DrillContext, actor: Actor, id: string) {
  const drill = await findDrill(ctx.db, id);
  requireVisible(!!drill && drill.association_id === actor.associationId, 'drill');
  return drill!;
}

const blockScope = (actor: Actor) => policy.followUpBlocks(actor, 'follow a safety confirmation');

/**
 * A step's once-only marker, written in the step's own transaction: the row is unique per
 * (drill, step), so a second run of the step (a retried job, another instance) waits for the
 * first's transaction and then finds the marker; if the first died, its marker rolled back
 * with its work and the second does the whole step.
 */
async function marker(tx: Tx, drillId: string, what: string): Promise<boolean> {
  const inserted = await tx.db.insertInto('drill_events').values({ drill_id: drillId, what }).onConflict((oc) => oc.columns(['drill_id', 'what']).doNothing()).returning('id').executeTakeFirst();
  return !!inserted;
}

// ── Start and ask ─────────────────────────────────────────────────────────────────────

/**
 * Starts a drill or a real event: one target row per household in scope, written by one
 * INSERT … SELECT with each home's risk; paper-only homes go straight onto their 班長's list.
 * The asking (push, speakers) and the deadline are durable jobs written in the same
 * transaction.
 */
export async function startDrill(
  ctx: DrillContext,
  actor: Actor,
  input: { kind: 'drill' | 'real'; title: string; message: string; targetBlockIds: string[] | null; announced: boolean; deadlineAt: string; volunteersAfterSeconds: number; officersAfterSeconds: number },
) {
  requireRole(policy.canManageRoster(actor, actor.associationId), 'officers');
  if (Date.parse(input.deadlineAt) <= Date.now()) throw HttpError.badRequest('The answer deadline is in the past.', 'deadlineAt');
  if (input.targetBlockIds) {
    const found = await ctx.db.selectFrom('blocks').select('id').where('association_id', '=', actor.associationId).where('id', 'in', input.targetBlockIds).execute();
    if (found.length !== new Set(input.targetBlockIds).size) throw HttpError.badRequest('Every 班 must be a 班 of this association.', 'targetBlockIds');
  }
  const drill = await ctx.db.transaction().execute(async (trx) => {
    const drill = await trx
      .insertInto('drills')
      .values({
        association_id: actor.associationId, kind: input.kind, title: input.title, message: input.message, announced: input.announced,
        target_block_ids: input.targetBlockIds, deadline_at: input.deadlineAt, volunteers_after_seconds: input.volunteersAfterSeconds,
        officers_after_seconds: input.officersAfterSeconds, started_by: actor.personId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const inserted = await sql`
      insert into drill_targets (drill_id, household_id, association_id, block_id, channels, risk, risk_score, tier, escalated_at)
      select ${drill.id}::uuid, h.id, h.association_id, h.block_id, h.channels, r.risk,
             coalesce(array_length(r.risk, 1), 0),
             case when r.paper_only then 'captain' else 'none' end,
             case when r.paper_only then now() end
      from households h
      cross join lateral (
        select (not ('app' = any(h.channels)) and not ('speaker' = any(h.channels))) as paper_only,
               array_remove(array[
                 case when (select count(*) from people p where p.household_id = h.id) <= 1 then 'lives_alone' end,
                 case when h.channels = '{speaker}' then 'speaker_only' end,
                 case when not ('app' = any(h.channels)) and not ('speaker' = any(h.channels)) then 'paper_only' end
               ], null) as risk
      ) r
      where h.association_id = ${actor.associationId}
        and (${input.targetBlockIds}::uuid[] is null or h.block_id = any(${input.targetBlockIds}::uuid[]))
    `.execute(trx);
    if (Number(inserted.numAffectedRows ?? 0) === 0) throw HttpError.badRequest('No households in this scope: choose 班 that have households.', 'targetBlockIds');
    await ctx.jobs.send(trx, 'drill-ask', { drillId: drill.id }, { singletonKey: `ask:${drill.id}` });
    await ctx.jobs.send(trx, 'drill-deadline', { drillId: drill.id }, { startAfter: drill.deadline_at, singletonKey: `deadline:${drill.id}` });
    await trx.insertInto('drill_events').values({ drill_id: drill.id, what: 'started' }).execute();
    await audit(trx, { associationId: actor.associationId, actorPersonId: actor.personId, action: `drill.started`, subject: drill.id, detail: { kind: input.kind } });
    return drill;
  });
  // Live, at once, to every household in scope, their 班長 and the officers.
  const targets = await ctx.db.selectFrom('drill_targets').select(['household_id', 'block_id']).where('drill_id', '=', drill.id).execute();
  ctx.realtime.emit(
    [...targets.map((t) => rooms.household(t.household_id)), ...new Set(targets.map((t) => rooms.block(t.block_id))), rooms.officers(actor.associationId)],
    'drill:started',
    { drillId: drill.id, kind: drill.kind, title: drill.title, message: drill.message, deadlineAt: drill.deadline_at.toISOString() },
  );
  return (await summaries(ctx.db, [drill]))[0]!;
}

/**
 * Push to every member's browser and a spoken prompt on every speaker in scope, for the
 * households not yet accounted for, in durable pieces (infra/fan-out.ts): this job asks the
 * households after `after` for a few seconds' worth of pages, then hands the rest on.
 */
export async function ask(ctx: DrillContext, drillId: string, after: string | null = null) {
  const drill = await findDrill(ctx.db, drillId);
  if (!drill || drill.status !== 'active') {
    ctx.log.info({ drillId, step: 'ask' }, 'drill step skipped: the drill has ended or is gone');
    return { pushed: 0, prompted: 0 };
  }
  const label = drill.kind === 'drill' ? '【安否確認訓練】' : '【安否確認】';
  const prompt: Prompt = {
    id: drillId,
    kind: 'drill',
    text: `${drill.kind === 'drill' ? '安否確認の訓練です。' : '安否確認です。'}${drill.message || drill.title}。ご無事なら「無事」、助けが必要なら「助けて」のボタンを押してください。`,
    buttons: ['safe', 'help'],
    expiresAt: drill.deadline_at.toISOString(),
  };
  const result = { pushed: 0, prompted: 0 };
  await fanOutPages({
    after,
    page: async (from, limit) =>
      (
        await ctx.db.selectFrom('drill_targets').select('household_id').where('drill_id', '=', drillId).where('accounted_at', 'is', null)
          .$if(from !== null, (q) => q.where('household_id', '>', from!)).orderBy('household_id').limit(limit).execute()
      ).map((t) => t.household_id),
    send: async (households) => {
      const [people, devices] = await Promise.all([
        ctx.db.selectFrom('people').select('id').where('household_id', 'in', households).where('password_hash', 'is not', null).execute(),
        ctx.db.selectFrom('devices').select(['id', 'association_id']).where('household_id', 'in', households).where('revoked_at', 'is', null).execute(),
      ]);
      const pushed = await ctx.push.sendToPeople(people.map((p) => p.id), { title: `${label}${drill.title}`, body: 'ご無事ですか？ アプリで答えてください。', url: `${ctx.publicUrl}/drills/${drillId}/answer` });
      result.pushed += pushed.sent;
      for (let i = 0; i < devices.length; i += 200) {
        await Promise.all(devices.slice(i, i + 200).map((d) => ctx.mqtt.publish(topics.downlink(d.association_id, d.id, 'prompt'), prompt)));
      }
      result.prompted += devices.length;
    },
    carryOn: (from) => ctx.jobs.sendDetached('continuation', 'drill-ask', { drillId, after: from }, { id: stableJobId('drill-ask', drillId, from) }),
  });
  return result;
}

// ── Answers ───────────────────────────────────────────────────────────────────────────

/**
 * Records an answer. The first answer's time and channel stay as they were; the status is
 * the latest, and every answer is kept in the history. "Needs help" or "injured" goes to
 * the 班長 and the officers at once.
 */
export async function recordAnswer(
  ctx: DrillContext,
  input: { drillId: string; householdId: string; status: Status | 'absent'; where: Where | null; note: string; channel: 'app' | 'speaker' | 'proxy' | 'visit'; recordedBy: string | null },
  /** A retried request (same Idempotency-Key) stores nothing and answers with the current state. */
  key?: RequestKey,
) {
  const drill = await findDrill(ctx.db, input.drillId);
  if (!drill) throw HttpError.notFound('drill');
  if (drill.status !== 'active') throw HttpError.conflict('This safety confirmation has ended.');
  const target = await ctx.db.selectFrom('drill_targets').selectAll().where('drill_id', '=', input.drillId).where('household_id', '=', input.householdId).executeTakeFirst();
  requireVisible(!!target, 'drill');
  // Device ingest calls this inside the transaction that stores the speaker's message.
  await transactionOn(ctx.db, async (trx) => {
    // A retry of a stored action writes nothing. It still runs what follows the commit: the
    // first try may have lost the database right after committing (those steps are safe to repeat).
    if (!(await claimRequestKey(trx, key))) return;
    await trx
      .insertInto('drill_answers')
      .values({ drill_id: input.drillId, household_id: input.householdId, status: input.status, location: input.where, note: input.note, channel: input.channel, recorded_by: input.recordedBy })
      .execute();
    if (input.status === 'absent') {
      await trx.updateTable('drill_targets').set({ visit_outcome: 'absent', note: input.note }).where('drill_id', '=', input.drillId).where('household_id', '=', input.householdId).execute();
      return;
    }
    await trx
      .updateTable('drill_targets')
      .set({
        status: input.status,
        location: input.where,
        note: input.note,
        answered_at: new Date(),
        first_answered_at: sql`coalesce(first_answered_at, now())`,
        accounted_at: sql`coalesce(accounted_at, now())`,
        channel: sql`coalesce(channel, ${input.channel})`,
        ...(input.channel === 'visit' && { visit_outcome: input.status }),
      })
      .where('drill_id', '=', input.drillId)
      .where('household_id', '=', input.householdId)
      .execute();
  });
  const escalatedToVolunteers = target!.tier === 'volunteers' || target!.tier === 'officers';
  ctx.realtime.emit([rooms.officers(drill.association_id), rooms.block(target!.block_id), rooms.household(input.householdId), ...(escalatedToVolunteers ? [rooms.volunteers(drill.association_id)] : [])], 'drill:updated', {
    drillId: input.drillId, householdId: input.householdId, blockId: target!.block_id,
  });
  if (input.status === 'needs_help' || input.status === 'injured') {
    const captainsAndOfficers = await ctx.db
      .selectFrom('role_assignments')
      .select('person_id')
      .distinct()
      .where('association_id', '=', drill.association_id)
      .where((eb) => eb.or([eb('role', '=', 'officer'), eb.and([eb('role', '=', 'captain'), eb('block_id', '=', target!.block_id)])]))
      .where(heldToday)
      .execute();
    const household = await ctx.db.selectFrom('households').select('name').where('id', '=', input.householdId).executeTakeFirstOrThrow();
    await ctx.push.sendToPeople(captainsAndOfficers.map((p) => p.person_id), {
      title: `【${input.status === 'injured' ? '負傷' : '要支援'}】${household.name}`,
      body: input.note || '安否確認で支援が必要と回答がありました。',
      url: `${ctx.publicUrl}/drills/${input.drillId}`,
    });
  }
  return myState(ctx, drill, input.householdId);
}

async function myState(ctx: DrillContext, drill: DrillRow, householdId: string) {
  const target = await ctx.db.selectFrom('drill_targets').selectAll().where('drill_id', '=', drill.id).where('household_id', '=', householdId).executeTakeFirstOrThrow();
  return {
    drill: (await summaries(ctx.db, [drill]))[0]!,
    householdId,
    answer: target.status && target.answered_at
      ? { status: target.status, where: target.location ?? 'home', note: target.note, at: target.answered_at.toISOString(), channel: target.channel ?? 'app' }
      : null,
  };
}

export async function answerAsMember(ctx: DrillContext, actor: Actor, drillId: string, input: { status: Status; where: Where; note: string }, idempotencyKey?: string) {
  if (!actor.householdId) throw HttpError.notFound('drill');
  await drillOf(ctx, actor, drillId);
  return recordAnswer(ctx, { drillId, householdId: actor.householdId, ...input, channel: 'app', recordedBy: actor.personId }, requestKey(actor, idempotencyKey, `drill-answer:${drillId}`));
}

/** From the speaker's prompt: 無事 is safe, 助けて needs help. */
export async function answerFromSpeaker(ctx: DrillContext, input: { householdId: string; promptId: string; button: 'safe' | 'help' }) {
  return recordAnswer(ctx, {
    drillId: input.promptId, householdId: input.householdId, status: input.button === 'safe' ? 'safe' : 'needs_help', where: null, note: '', channel: 'speaker', recordedBy: null,
  });
}

async function targetBlock(ctx: DrillContext, drillId: string, householdId: string) {
  const target = await ctx.db.selectFrom('drill_targets').select(['block_id', 'tier', 'taken_by']).where('drill_id', '=', drillId).where('household_id', '=', householdId).executeTakeFirst();
  requireVisible(!!target, 'household');
  return target!;
}

/**
 * "Confirmed in person" by someone else: officers, the household's 班長, volunteers, or a
 * neighbour (a member of a household in the same 班).
 */
export async function answerByProxy(ctx: DrillContext, actor: Actor, drillId: string, input: { householdId: string; status: Status; where: Where; note: string }, idempotencyKey?: string) {
  await drillOf(ctx, actor, drillId);
  const target = await targetBlock(ctx, drillId, input.householdId);
  let neighbour = false;
  if (actor.householdId) {
    const own = await ctx.db.selectFrom('households').select('block_id').where('id', '=', actor.householdId).executeTakeFirst();
    neighbour = own?.block_id === target.block_id;
  }
  const allowed = actor.officer || actor.captainOf.includes(target.block_id) || actor.volunteer || actor.welfareCommissioner || neighbour;
  requireVisible(allowed, 'household');
  return recordAnswer(ctx, { drillId, ...input, channel: 'proxy', recordedBy: actor.personId }, requestKey(actor, idempotencyKey, `drill-proxy:${drillId}:${input.householdId}`));
}

/** Who may act on a silent household's task: its 班長, and volunteers and officers once it has reached them. */
function mayHandle(actor: Actor, target: { block_id: string; tier: string }) {
  if (actor.officer) return true;
  if (actor.captainOf.includes(target.block_id)) return true;
  return (actor.volunteer || actor.welfareCommissioner) && (target.tier === 'volunteers' || target.tier === 'officers');
}

export async function takeTask(ctx: DrillContext, actor: Actor, drillId: string, householdId: string) {
  const drill = await drillOf(ctx, actor, drillId);
  if (drill.status !== 'active') throw HttpError.conflict('This safety confirmation has ended.');
  const target = await targetBlock(ctx, drillId, householdId);
  requireVisible(mayHandle(actor, target), 'household');
  const taken = await ctx.db
    .updateTable('drill_targets')
    .set({ taken_by: actor.personId, taken_at: new Date() })
    .where('drill_id', '=', drillId)
    .where('household_id', '=', householdId)
    .where((eb) => eb.or([eb('taken_by', 'is', null), eb('taken_by', '=', actor.personId)]))
    .returning('household_id')
    .executeTakeFirst();
  if (!taken) throw HttpError.conflict('Someone else is already on their way to this household.');
  ctx.realtime.emit([rooms.officers(drill.association_id), rooms.block(target.block_id), rooms.volunteers(drill.association_id)], 'drill:updated', { drillId, householdId, blockId: target.block_id });
  return { ok: true as const };
}

/** The outcome of a visit to a silent household; "absent" keeps it on the list. */
export async function recordVisit(ctx: DrillContext, actor: Actor, drillId: string, input: { householdId: string; outcome: Status | 'absent'; note: string }, idempotencyKey?: string) {
  await drillOf(ctx, actor, drillId);
  const target = await targetBlock(ctx, drillId, input.householdId);
  requireVisible(mayHandle(actor, target), 'household');
  return recordAnswer(ctx, { drillId, householdId: input.householdId, status: input.outcome, where: input.outcome === 'absent' ? null : 'home', note: input.note, channel: 'visit', recordedBy: actor.personId }, requestKey(actor, idempotencyKey, `drill-visit:${drillId}:${input.householdId}`));
}

// ── Deadline and escalation (durable jobs) ────────────────────────────────────────────

/**
 * At the deadline every silent household becomes a task for its 班長: one UPDATE for all of
 * them. The hand-over, its marker and both later tiers' jobs are one transaction, so a crash
 * anywhere in the step leaves either all of them or none (and the job's retry does it all);
 * the 班長 are told after the commit.
 */
export async function deadline(ctx: DrillContext, drillId: string) {
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    // Locked: an officer ending the drill waits for the hand-over, or the hand-over finds it ended.
    const drill = await tx.db.selectFrom('drills').selectAll().where('id', '=', drillId).forUpdate().executeTakeFirst();
    if (!drill || drill.status !== 'active') {
      ctx.log.info({ drillId, step: 'deadline' }, 'drill step skipped: the drill has ended or is gone');
      return 0;
    }
    if (!(await marker(tx, drillId, 'deadline'))) {
      ctx.log.info({ drillId, step: 'deadline' }, 'drill step skipped: already done (its marker is present)');
      return 0;
    }
    const handed = await tx.db
      .updateTable('drill_targets')
      .set({ tier: 'captain', escalated_at: new Date() })
      .where('drill_id', '=', drillId)
      .where('accounted_at', 'is', null)
      .where('tier', '=', 'none')
      .returning('block_id')
      .execute();
    const at = (seconds: number) => new Date(drill.deadline_at.getTime() + seconds * 1000);
    await ctx.jobs.send(tx.db, 'drill-escalate', { drillId, tier: 'volunteers' }, { startAfter: at(drill.volunteers_after_seconds), singletonKey: `${drillId}:volunteers` });
    await ctx.jobs.send(tx.db, 'drill-escalate', { drillId, tier: 'officers' }, { startAfter: at(drill.officers_after_seconds), singletonKey: `${drillId}:officers` });
    const blocks = [...new Set(handed.map((h) => h.block_id))];
    tx.afterCommit(() => notifyTier(ctx, drill, 'captain', blocks));
    ctx.log.info({ drillId, step: 'deadline', households: handed.length }, 'drill deadline: silent households handed to their 班長');
    return handed.length;
  });
}

/** Tasks nobody has taken move up a tier: the move and its marker are one transaction; people are told after it. */
export async function escalate(ctx: DrillContext, drillId: string, tier: 'volunteers' | 'officers') {
  const step = `escalated:${tier}`;
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const drill = await tx.db.selectFrom('drills').selectAll().where('id', '=', drillId).forUpdate().executeTakeFirst();
    if (!drill || drill.status !== 'active') {
      ctx.log.info({ drillId, step }, 'drill step skipped: the drill has ended or is gone');
      return 0;
    }
    if (!(await marker(tx, drillId, step))) {
      ctx.log.info({ drillId, step }, 'drill step skipped: already done (its marker is present)');
      return 0;
    }
    const moved = await tx.db
      .updateTable('drill_targets')
      .set({ tier, escalated_at: new Date() })
      .where('drill_id', '=', drillId)
      .where('accounted_at', 'is', null)
      .where('taken_by', 'is', null)
      .where('tier', 'in', tier === 'volunteers' ? ['captain'] : ['captain', 'volunteers'])
      .returning('block_id')
      .execute();
    const blocks = [...new Set(moved.map((m) => m.block_id))];
    if (blocks.length) tx.afterCommit(() => notifyTier(ctx, drill, tier, blocks));
    ctx.log.info({ drillId, step, households: moved.length }, 'drill escalation: untaken tasks moved up a tier');
    return moved.length;
  });
}

async function notifyTier(ctx: DrillContext, drill: DrillRow, tier: 'captain' | 'volunteers' | 'officers', blockIds: string[]) {
  if (!blockIds.length) return;
  const targets = tier === 'captain' ? blockIds.map(rooms.block) : tier === 'volunteers' ? [rooms.volunteers(drill.association_id)] : [];
  targets.push(rooms.officers(drill.association_id));
  for (const blockId of blockIds) ctx.realtime.emit(targets, 'drill:updated', { drillId: drill.id, householdId: '', blockId });
  const roles = tier === 'captain' ? ['captain'] : tier === 'volunteers' ? ['volunteer', 'welfare_commissioner'] : ['officer'];
  const people = await ctx.db
    .selectFrom('role_assignments')
    .select('person_id')
    .distinct()
    .where('association_id', '=', drill.association_id)
    .where('role', 'in', roles as ('captain' | 'volunteer' | 'welfare_commissioner' | 'officer')[])
    .$if(tier === 'captain', (q) => q.where('block_id', 'in', blockIds))
    .where(heldToday)
    .execute();
  await ctx.push.sendToPeople(people.map((p) => p.person_id), {
    title: `【安否確認】応答のない世帯があります`,
    body: '訪問が必要な世帯の一覧を確認してください。',
    url: `${ctx.publicUrl}/drills/${drill.id}/tasks`,
  });
}

// ── Views ─────────────────────────────────────────────────────────────────────────────

/**
 * Which targets of a drill an actor's visit list holds, as a where clause: every one for
 * officers; their own 班 for a 班長; for volunteers and 民生委員, any 班 once the task has
 * been escalated to them. Nobody else has a visit list.
 */
function visitScope(actor: Actor): { blocks?: string[]; escalatedToVolunteers?: boolean } | undefined {
  if (actor.officer) return {};
  const helper = actor.volunteer || actor.welfareCommissioner;
  if (!actor.captainOf.length && !helper) return undefined;
  return { blocks: actor.captainOf, escalatedToVolunteers: helper };
}

async function targetViews(
  ctx: DrillContext,
  drillId: string,
  where: { blocks?: string[]; visit?: { blocks?: string[]; escalatedToVolunteers?: boolean }; unaccounted?: boolean; followUp?: boolean; escalated?: boolean; limit?: number },
): Promise<TargetView[]> {
  const visit = where.visit;
  // The page of targets first, in the order of the partial index (riskiest first), then their households.
  const page = ctx.db
    .selectFrom('drill_targets')
    .selectAll()
    .where('drill_id', '=', drillId)
    .$if(!!where.blocks, (q) => q.where('block_id', 'in', where.blocks!.length ? where.blocks! : [NIL]))
    .$if(!!visit?.blocks, (q) =>
      q.where((eb) =>
        eb.or([
          eb('block_id', 'in', visit!.blocks!.length ? visit!.blocks! : [NIL]),
          ...(visit!.escalatedToVolunteers ? [eb('tier', 'in', ['volunteers', 'officers'])] : []),
        ]),
      ),
    )
    .$if(!!where.unaccounted, (q) => q.where('accounted_at', 'is', null))
    .$if(!!where.escalated, (q) => q.where('tier', '!=', 'none'))
    .$if(!!where.followUp, (q) => q.where('status', 'in', ['needs_help', 'injured']))
    .orderBy('risk_score', 'desc')
    .orderBy('household_id')
    .limit(where.limit ?? 200);
  const rows = await ctx.db
    .selectFrom(page.as('t'))
    .innerJoin('households as h', 'h.id', 't.household_id')
    .innerJoin('blocks as b', 'b.id', 't.block_id')
    .leftJoin('people as p', 'p.id', 't.taken_by')
    .select([
      't.household_id', 'h.household_number', 'h.name', 'h.address', 't.block_id', 'b.name as block_name', 't.channels', 'h.responder_notes', 't.risk',
      't.status', 't.location', 't.answered_at', 't.channel', 't.tier', 'p.name as taken_by_name', 't.visit_outcome', 't.note',
    ])
    .orderBy('t.risk_score', 'desc')
    .orderBy('b.sort_order')
    .orderBy('h.household_number')
    .execute();
  const members = await membersOf(ctx.db, rows.map((r) => r.household_id));
  return rows.map((r) => ({
    householdId: r.household_id, householdNumber: r.household_number, name: r.name, address: r.address, blockId: r.block_id, blockName: r.block_name,
    channels: r.channels, responderNotes: r.responder_notes, members: members.get(r.household_id) ?? [], risk: r.risk as TargetView['risk'],
    status: r.status, where: r.location, answeredAt: r.answered_at?.toISOString() ?? null, channel: r.channel, tier: r.tier as TargetView['tier'],
    takenBy: r.taken_by_name, visitOutcome: r.visit_outcome, note: r.note,
  }));
}

async function countsOf(ctx: DrillContext, drillId: string, blocks?: string[]) {
  // Aggregated from the (drill, block) index alone; the 班 names are joined to the few result rows.
  const totals = ctx.db
    .selectFrom('drill_targets')
    .select([
      'block_id',
      sql<number>`count(*) filter (where status = 'safe')::int`.as('safe'),
      sql<number>`count(*) filter (where status = 'needs_help')::int`.as('needs_help'),
      sql<number>`count(*) filter (where status = 'injured')::int`.as('injured'),
      sql<number>`count(*) filter (where status is null)::int`.as('unanswered'),
      sql<number>`count(accounted_at)::int`.as('accounted'),
      sql<number>`count(*)::int`.as('total'),
    ])
    .where('drill_id', '=', drillId)
    .$if(!!blocks, (q) => q.where('block_id', 'in', blocks!.length ? blocks! : [NIL]))
    .groupBy('block_id');
  const rows = await ctx.db
    .selectFrom(totals.as('t'))
    .innerJoin('blocks as b', 'b.id', 't.block_id')
    .select(['t.block_id', 'b.name', 't.safe', 't.needs_help', 't.injured', 't.unanswered', 't.accounted', 't.total'])
    .orderBy('b.sort_order')
    .execute();
  const byBlock = rows.map((r) => ({ blockId: r.block_id, blockName: r.name, safe: r.safe, needsHelp: r.needs_help, injured: r.injured, unanswered: r.unanswered, accounted: r.accounted, total: r.total }));
  const sum = (k: 'safe' | 'needsHelp' | 'injured' | 'unanswered' | 'accounted' | 'total') => byBlock.reduce((n, b) => n + b[k], 0);
  return { counts: { safe: sum('safe'), needsHelp: sum('needsHelp'), injured: sum('injured'), unanswered: sum('unanswered'), accounted: sum('accounted'), total: sum('total') }, byBlock };
}

async function timing(ctx: DrillContext, drill: DrillRow, blocks?: string[]) {
  const inBlocks = blocks ? (blocks.length ? blocks : [NIL]) : undefined;
  const answered = ctx.db
    .selectFrom('drill_targets')
    .where('drill_id', '=', drill.id)
    .where('first_answered_at', 'is not', null)
    .$if(!!inBlocks, (q) => q.where('block_id', 'in', inBlocks!));
  const [{ n }, last] = await Promise.all([
    answered.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom('drill_targets')
      .select([sql<Date | null>`max(accounted_at)`.as('last'), sql<number>`count(*) filter (where accounted_at is null)::int`.as('open')])
      .where('drill_id', '=', drill.id)
      .$if(!!inBlocks, (q) => q.where('block_id', 'in', inBlocks!))
      .executeTakeFirstOrThrow(),
  ]);
  // The median is the middle entry of the answered-time index: a walk to it, not a sort of all.
  let median: number | null = null;
  if (n > 0) {
    const middle = await answered.select('first_answered_at').orderBy('first_answered_at').offset(Math.floor((n - 1) / 2)).limit(n % 2 === 0 ? 2 : 1).execute();
    const secs = middle.map((m) => (m.first_answered_at!.getTime() - drill.started_at.getTime()) / 1000);
    median = Math.round(secs.reduce((a, b) => a + b, 0) / secs.length);
  }
  return {
    medianSecondsToAnswer: median,
    secondsUntilAllAccounted: last.open === 0 && last.last ? Math.round((new Date(last.last).getTime() - drill.started_at.getTime()) / 1000) : null,
  };
}

export async function dashboard(ctx: DrillContext, actor: Actor, drillId: string): Promise<Dashboard> {
  const drill = await drillOf(ctx, actor, drillId);
  const blocks = blockScope(actor);
  const [{ counts, byBlock }, curveRows, { medianSecondsToAnswer }, unanswered, needsFollowUp] = await Promise.all([
    countsOf(ctx, drillId, blocks),
    ctx.db
      .selectFrom('drill_targets')
      .select([sql<number>`floor(extract(epoch from accounted_at - ${drill.started_at}::timestamptz) / 60)::int`.as('minute'), sql<number>`count(*)::int`.as('n')])
      .where('drill_id', '=', drillId)
      .where('accounted_at', 'is not', null)
      .$if(!!blocks, (q) => q.where('block_id', 'in', blocks!.length ? blocks! : [NIL]))
      .groupBy(sql`1`)
      .orderBy(sql`1`)
      .execute(),
    timing(ctx, drill, blocks),
    targetViews(ctx, drillId, { blocks, unaccounted: true }),
    targetViews(ctx, drillId, { blocks, followUp: true }),
  ]);
  let running = 0;
  const curve = curveRows.map((r) => ({ minute: Math.max(0, r.minute), accounted: (running += r.n) }));
  return { drill: (await summaries(ctx.db, [drill]))[0]!, counts, byBlock, curve, medianSecondsToAnswer, unanswered, needsFollowUp };
}

/** A 班長's (or, once escalated, a volunteer's or officer's) list of households to visit. */
export async function tasks(ctx: DrillContext, actor: Actor, drillId: string) {
  await drillOf(ctx, actor, drillId);
  const visit = visitScope(actor);
  if (!visit) throw HttpError.forbidden('Only 班長, volunteers and officers have visit lists.');
  // Scoped in the query: a volunteer who is also a 班長 sees their 班 and what was escalated, nothing else.
  const items = await targetViews(ctx, drillId, { escalated: true, limit: 2000, visit });
  return { items: items.filter((t) => t.answeredAt === null || t.status !== 'safe') };
}

export async function listDrills(ctx: DrillContext, actor: Actor) {
  const drills = await ctx.db
    .selectFrom('drills')
    .selectAll()
    .where('association_id', '=', actor.associationId)
    // Volunteers help with any running one; members and 班長 see those that reached them, and
    // a 班長 also the ended ones that reached their 班 (for their 班's report).
    .$if(!actor.officer, (q) =>
      q.where((eb) => {
        const reached = (blocksOnly: boolean) =>
          eb.exists(
            eb.selectFrom('drill_targets').select(sql`1`.as('one')).whereRef('drill_targets.drill_id', '=', 'drills.id')
              .where((w) => w.or([
                ...(blocksOnly ? [] : [w('drill_targets.household_id', '=', actor.householdId ?? NIL)]),
                w('drill_targets.block_id', 'in', actor.captainOf.length ? actor.captainOf : [NIL]),
              ])),
          );
        const helper = actor.volunteer || actor.welfareCommissioner;
        return eb.or([
          helper ? eb('status', '=', 'active') : eb.and([eb('status', '=', 'active'), reached(false)]),
          ...(actor.captainOf.length ? [eb.and([eb('status', '=', 'ended'), reached(true)])] : []),
        ]);
      }),
    )
    .orderBy('started_at', 'desc')
    .limit(100)
    .execute();
  return { items: await summaries(ctx.db, drills) };
}

/** The active confirmations addressed to the caller's household, with its answer so far. */
export async function myDrills(ctx: DrillContext, actor: Actor) {
  if (!actor.householdId) return { items: [] };
  const drills = await ctx.db
    .selectFrom('drills')
    .innerJoin('drill_targets', 'drill_targets.drill_id', 'drills.id')
    .selectAll('drills')
    .where('drills.association_id', '=', actor.associationId)
    .where('drills.status', '=', 'active')
    .where('drill_targets.household_id', '=', actor.householdId)
    .orderBy('drills.started_at', 'desc')
    .execute();
  return { items: await Promise.all(drills.map((d) => myState(ctx, d, actor.householdId!))) };
}

// ── End and report ────────────────────────────────────────────────────────────────────

/** Ends it and freezes its report. Two officers ending at once: one wins, one report. */
export async function endDrill(ctx: DrillContext, actor: Actor, drillId: string): Promise<DrillReport> {
  requireRole(policy.canManageRoster(actor, actor.associationId), 'officers');
  await drillOf(ctx, actor, drillId);
  const report = await ctx.db.transaction().execute(async (trx) => {
    const ended = await trx
      .updateTable('drills')
      .set({ status: 'ended', ended_at: new Date(), ended_by: actor.personId })
      .where('id', '=', drillId)
      .where('status', '=', 'active')
      .returningAll()
      .executeTakeFirst();
    if (!ended) throw HttpError.conflict('This safety confirmation has already ended; its report is ready.');
    await trx.insertInto('drill_events').values({ drill_id: drillId, what: 'ended' }).onConflict((oc) => oc.doNothing()).execute();
    const report = await buildReport({ ...ctx, db: trx }, ended);
    await trx.updateTable('drills').set({ report: JSON.stringify(report) }).where('id', '=', drillId).execute();
    return report;
  });
  const targets = await ctx.db.selectFrom('drill_targets').select('household_id').where('drill_id', '=', drillId).execute();
  ctx.realtime.emit([rooms.officers(actor.associationId), ...targets.map((t) => rooms.household(t.household_id))], 'drill:ended', { drillId });
  await audit(ctx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'drill.ended', subject: drillId });
  return report;
}

/**
 * The report of an ended drill. `blocks` undefined: the whole association (the officers'
 * report, frozen when it ends). A 班長's report is built from the same tables with their 班
 * in every query: their rows, their totals, their 班's figures for earlier drills too.
 */
async function buildReport(ctx: DrillContext, drill: DrillRow, blocks?: string[]): Promise<DrillReport> {
  const inBlocks = blocks ? (blocks.length ? blocks : [NIL]) : undefined;
  const [{ counts, byBlock }, channels, times, events, followUp, unaccounted, previous] = await Promise.all([
    countsOf(ctx, drill.id, blocks),
    ctx.db.selectFrom('drill_targets').select(['channel', sql<number>`count(*)::int`.as('n')]).where('drill_id', '=', drill.id).where('channel', 'is not', null)
      .$if(!!inBlocks, (q) => q.where('block_id', 'in', inBlocks!)).groupBy('channel').execute(),
    timing(ctx, drill, blocks),
    ctx.db.selectFrom('drill_events').select(['at', 'what']).where('drill_id', '=', drill.id).orderBy('at').execute(),
    targetViews(ctx, drill.id, { blocks, followUp: true, limit: 5000 }),
    targetViews(ctx, drill.id, { blocks, unaccounted: true, limit: 5000 }),
    ctx.db.selectFrom('drills').selectAll().where('association_id', '=', drill.association_id).where('status', '=', 'ended').where('id', '!=', drill.id).where('started_at', '<', drill.started_at)
      // A 班長 compares only with earlier drills that reached their 班.
      .$if(!!inBlocks, (q) => q.where((eb) => eb.exists(eb.selectFrom('drill_targets').select(sql`1`.as('one')).whereRef('drill_targets.drill_id', '=', 'drills.id').where('drill_targets.block_id', 'in', inBlocks!))))
      .orderBy('started_at', 'desc').limit(5).execute(),
  ]);
  const channel = (c: string) => channels.find((r) => r.channel === c)?.n ?? 0;
  const summary = (await summaries(ctx.db, [drill], blocks))[0]!;
  const earlier = await Promise.all(
    previous.map(async (p) => {
      if (!blocks) {
        const r = p.report as DrillReport | null;
        return { id: p.id, title: p.title, startedAt: p.started_at.toISOString(), responseRate: r && r.counts.total ? r.counts.accounted / r.counts.total : 0, medianSecondsToAnswer: r?.medianSecondsToAnswer ?? null, secondsUntilAllAccounted: r?.secondsUntilAllAccounted ?? null };
      }
      const [{ counts: c }, t] = await Promise.all([countsOf(ctx, p.id, blocks), timing(ctx, p, blocks)]);
      return { id: p.id, title: p.title, startedAt: p.started_at.toISOString(), responseRate: c.total ? c.accounted / c.total : 0, ...t };
    }),
  );
  return {
    drill: summary,
    counts,
    byBlock,
    byChannel: { app: channel('app'), speaker: channel('speaker'), proxy: channel('proxy'), visit: channel('visit') },
    ...times,
    timeline: events.map((e) => ({ at: e.at.toISOString(), what: e.what })),
    followUp: [...unaccounted, ...followUp.filter((f) => !unaccounted.some((u) => u.householdId === f.householdId))],
    previous: earlier,
    scope: blocks ? { kind: 'blocks', blockNames: await blockNames(ctx, blocks) } : { kind: 'association', blockNames: [] },
  };
}

async function blockNames(ctx: DrillContext, blocks: string[]) {
  if (!blocks.length) return [];
  return (await ctx.db.selectFrom('blocks').select('name').where('id', 'in', blocks).orderBy('sort_order').execute()).map((b) => b.name);
}

/**
 * An ended drill's report. Officers get the association's, frozen when it ended. A 班長 gets
 * their 班's rows and their 班's totals, built with their 班 in every query (answers cannot
 * change once a drill has ended, so the figures are those of the end). Association totals
 * without names were the other choice; but a 班長 acts on their own 班, the dashboard they
 * used during the drill showed their 班 only, and in a small association totals without
 * names still point at people (the one "needs help" in a 班 of four).
 */
export async function report(ctx: DrillContext, actor: Actor, drillId: string): Promise<DrillReport> {
  const drill = await drillOf(ctx, actor, drillId);
  const blocks = blockScope(actor);
  if (drill.status !== 'ended' || !drill.report) throw HttpError.conflict('The report is made when the safety confirmation ends.');
  if (blocks) {
    // A drill that never reached their 班 is not theirs to see.
    const reached = await ctx.db.selectFrom('drill_targets').select('household_id').where('drill_id', '=', drillId).where('block_id', 'in', blocks).limit(1).executeTakeFirst();
    requireVisible(!!reached, 'drill');
    return buildReport(ctx, drill, blocks);
  }
  const frozen = drill.report as DrillReport;
  return { ...frozen, scope: frozen.scope ?? { kind: 'association', blockNames: [] } };
}

/** One row per household, for Excel: what was answered, when, through which channel. A 班長 gets their 班's rows. */
export async function reportRows(ctx: DrillContext, actor: Actor, drillId: string) {
  const drill = await drillOf(ctx, actor, drillId);
  const blocks = policy.followUpBlocks(actor, 'export a safety confirmation');
  if (blocks) {
    const reached = await ctx.db.selectFrom('drill_targets').select('household_id').where('drill_id', '=', drillId).where('block_id', 'in', blocks).limit(1).executeTakeFirst();
    requireVisible(!!reached, 'drill');
  }
  const rows = await targetViews(ctx, drillId, { blocks, limit: 100_000 });
  return { drill, rows };
}
