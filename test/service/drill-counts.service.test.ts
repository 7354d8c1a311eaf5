import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import pg from 'pg';
import type { TestDatabase } from '../support/database.js';
import type { TestServer } from '../support/server.js';
import type { SeededAssociation } from '../support/fixtures.js';
import type { Actor } from '../../server/src/common/access.js';
import { answerByProxy, dashboard, deadline, escalate, recordAnswer, recordVisit, startDrill, takeTask, type DrillContext } from '../../server/src/drills/drill.service.js';
import { startSuite, stopSuite } from '../support/suite.js';

/**
 * A drill's figures are kept as its targets change (drill_block_counts, drill_minute_counts,
 * migrations/20261203T0300_drill_counts.ts), not recounted per request: after a mixed sequence
 * — the start's visit list, answers at once in the same 班, a retried request, a changed
 * status, the deadline's hand-off, both escalations, a visit that found nobody, a household
 * removed from the roster — they are exactly what a recount of the rows says.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;

beforeAll(async () => ({ database, server, x } = await startSuite({ label: 'dc' })));
afterAll(() => stopSuite({ server, database }));

const ctx = (): DrillContext => server.app.context;
const officer = (): Actor => ({
  sessionId: 'counts-test', personId: x.people.officer.id, associationId: x.association.id, officer: true, captainOf: [], volunteer: false,
  welfareCommissioner: false, watcherOf: [], householdId: null,
});

async function kept(drillId: string) {
  const blocks = await sql<Record<string, unknown>>`
    select block_id, total, safe, needs_help, injured, unanswered, accounted, answered from drill_block_counts where drill_id = ${drillId} and total <> 0 order by block_id`.execute(database.db);
  const minutes = await sql<Record<string, unknown>>`
    select block_id, minute, accounted, answered from drill_minute_counts where drill_id = ${drillId} and (accounted, answered) <> (0, 0) order by block_id, minute`.execute(database.db);
  return { blocks: blocks.rows, minutes: minutes.rows };
}

async function recounted(drillId: string) {
  const blocks = await sql<Record<string, unknown>>`
    select block_id, count(*)::int as total, count(*) filter (where status = 'safe')::int as safe, count(*) filter (where status = 'needs_help')::int as needs_help,
           count(*) filter (where status = 'injured')::int as injured, count(*) filter (where status is null)::int as unanswered,
           count(accounted_at)::int as accounted, count(first_answered_at)::int as answered
    from drill_targets where drill_id = ${drillId} group by block_id order by block_id`.execute(database.db);
  const minutes = await sql<Record<string, unknown>>`
    select block_id, minute, sum(accounted)::int as accounted, sum(answered)::int as answered from (
      select t.block_id, floor(extract(epoch from t.accounted_at - d.started_at) / 60)::int as minute, 1 as accounted, 0 as answered
      from drill_targets t join drills d on d.id = t.drill_id where t.drill_id = ${drillId} and t.accounted_at is not null
      union all
      select t.block_id, floor(extract(epoch from t.first_answered_at - d.started_at) / 60)::int, 0, 1
      from drill_targets t join drills d on d.id = t.drill_id where t.drill_id = ${drillId} and t.first_answered_at is not null
    ) m group by block_id, minute order by block_id, minute`.execute(database.db);
  return { blocks: blocks.rows, minutes: minutes.rows };
}

describe("a drill's kept figures", () => {
  it('match a recount of its rows after concurrent answers, a retry, the hand-off, escalations, a visit and a removed household', async () => {
    // Twelve more homes in each 班: half with a member who can log in, half nobody can answer for (on a visit list from the start).
    const homes = await database.db
      .insertInto('households')
      .values(
        Array.from({ length: 24 }, (_, i) => ({
          association_id: x.association.id, block_id: i % 2 ? x.blocks.block2.id : x.blocks.block1.id, household_number: `c${i}`,
          name: `集計${i}家`, address: `京田辺市 ${i}`, channels: ['app'],
        })),
      )
      .returning(['id', 'block_id'])
      .execute();
    await database.db
      .insertInto('people')
      .values(homes.filter((_, i) => i % 4 < 2).map((h, i) => ({ association_id: x.association.id, household_id: h.id, name: `集計 ${i}`, password_hash: 'x' })))
      .execute();
    const started = await startDrill(ctx(), officer(), {
      kind: 'drill', title: '集計', message: '', targetBlockIds: null, announced: false, deadlineAt: new Date(Date.now() + 600_000).toISOString(),
      volunteersAfterSeconds: 900, officersAfterSeconds: 1800,
    });
    const drillId = started.id;
    expect(started.total).toBe(28);
    expect(await kept(drillId)).toEqual(await recounted(drillId));

    // Answers at once, several in the same 班, one household answering twice at once, one request retried.
    const answer = (householdId: string, status: 'safe' | 'needs_help' | 'injured') =>
      recordAnswer(ctx(), { drillId, householdId, status, where: 'home', note: '', channel: 'app', recordedBy: null });
    const reachable = homes.filter((_, i) => i % 4 < 2);
    await Promise.all([
      ...reachable.slice(0, 8).map((h, i) => answer(h.id, i % 3 === 0 ? 'needs_help' : 'safe')),
      answer(x.households.A.id, 'safe'),
      answer(x.households.A.id, 'injured'),
      answerByProxy(ctx(), officer(), drillId, { householdId: x.households.B.id, status: 'safe', where: 'home', note: '' }, '6b0f7c1e-2f1a-4c55-9a3e-0d2b7c9e4f10'),
      answerByProxy(ctx(), officer(), drillId, { householdId: x.households.B.id, status: 'safe', where: 'home', note: '' }, '6b0f7c1e-2f1a-4c55-9a3e-0d2b7c9e4f10'),
    ]);
    await answer(reachable[0]!.id, 'injured');
    expect(await kept(drillId)).toEqual(await recounted(drillId));

    // The deadline (twice at once, as a retried job would) and both escalations: the figures do not move.
    await Promise.all([deadline(ctx(), drillId), deadline(ctx(), drillId)]);
    await escalate(ctx(), drillId, 'volunteers');
    await escalate(ctx(), drillId, 'officers');
    expect(await kept(drillId)).toEqual(await recounted(drillId));

    // A visit that found nobody, then one that found them safe; a household removed from the roster mid-drill.
    const silent = homes.filter((_, i) => i % 4 >= 2);
    await recordVisit(ctx(), officer(), drillId, { householdId: silent[0]!.id, outcome: 'absent', note: '不在' });
    await recordVisit(ctx(), officer(), drillId, { householdId: silent[1]!.id, outcome: 'safe', note: '' });
    await database.db.deleteFrom('people').where('household_id', '=', reachable[1]!.id).execute();
    await database.db.deleteFrom('households').where('id', '=', reachable[1]!.id).execute();
    const now = await recounted(drillId);
    expect(await kept(drillId)).toEqual(now);

    // What the officers' dashboard shows is the recount.
    const shown = await dashboard(ctx(), officer(), drillId);
    const sum = (k: string) => now.blocks.reduce((n, b) => n + (b[k] as number), 0);
    expect(shown.counts).toEqual({ safe: sum('safe'), needsHelp: sum('needs_help'), injured: sum('injured'), unanswered: sum('unanswered'), accounted: sum('accounted'), total: 27 });
    expect(shown.curve.at(-1)!.accounted).toBe(sum('accounted'));
    expect(shown.drill).toMatchObject({ total: 27, accounted: sum('accounted') });
  });

  it("name a drill of their association, are deleted with it, and two removals across several 班 at once do not deadlock", async () => {
    const drill = await startDrill(ctx(), officer(), {
      kind: 'drill', title: '整合性', message: '', targetBlockIds: null, announced: false, deadlineAt: new Date(Date.now() + 600_000).toISOString(),
      volunteersAfterSeconds: 900, officersAfterSeconds: 1800,
    });
    const other = await database.db.insertInto('associations').values({ name: '別の自治会', slug: `other-${Date.now()}` }).returning('id').executeTakeFirstOrThrow();
    // A target naming a drill that does not exist, or naming it with another association: refused as a foreign key would.
    const copy = (drillId: string, associationId: string) => sql`
      insert into drill_targets (drill_id, household_id, association_id, block_id, channels)
      select ${drillId}::uuid, household_id, ${associationId}::uuid, block_id, channels from drill_targets where drill_id = ${drill.id} limit 1`.execute(database.db);
    await expect(copy('00000000-0000-4000-8000-000000000000', x.association.id)).rejects.toMatchObject({ code: '23503' });
    const otherBlock = await database.db.insertInto('blocks').values({ association_id: other.id, name: '1班', sort_order: 1 }).returning('id').executeTakeFirstOrThrow();
    const otherHome = await database.db
      .insertInto('households')
      .values({ association_id: other.id, block_id: otherBlock.id, household_number: 'o1', name: '別家', address: '別の町', channels: ['app'] })
      .returning('id')
      .executeTakeFirstOrThrow();
    await expect(sql`insert into drill_targets (drill_id, household_id, association_id, block_id, channels)
      values (${drill.id}, ${otherHome.id}, ${other.id}, ${otherBlock.id}, '{app}')`.execute(database.db)).rejects.toMatchObject({ code: '23503' });
    await expect(sql`update drills set association_id = ${other.id} where id = ${drill.id}`.execute(database.db)).rejects.toMatchObject({ code: '23503' });

    // Two statements each removing households of both 班, at once, in opposite orders: both finish, the figures match the rows.
    const mine = await sql<{ household_id: string; block_id: string }>`select household_id, block_id from drill_targets where drill_id = ${drill.id} order by household_id`.execute(database.db);
    const b1 = mine.rows.filter((r) => r.block_id === x.blocks.block1.id).map((r) => r.household_id);
    const b2 = mine.rows.filter((r) => r.block_id === x.blocks.block2.id).map((r) => r.household_id);
    const removeTargets = (ids: string[]) => sql`delete from drill_targets where drill_id = ${drill.id} and household_id = any(${ids}::uuid[])`.execute(database.db);
    await Promise.all([removeTargets([b1[0]!, b2[0]!]), removeTargets([b2[1]!, b1[1]!])]);
    expect(await kept(drill.id)).toEqual(await recounted(drill.id));

    // Deleting the drill takes its targets with it.
    await database.db.deleteFrom('drills').where('id', '=', drill.id).execute();
    const left = await sql<{ n: number }>`select count(*)::int as n from drill_targets where drill_id = ${drill.id}`.execute(database.db);
    expect(left.rows[0]!.n).toBe(0);
  });

  it('name a household of their association, go with it, and a removal waits for a start writing that association (or the start sees it and fails)', async () => {
    const a = x.association.id;
    const block = x.blocks.block1.id;
    const home = async (n: string) =>
      (await database.db.insertInto('households').values({ association_id: a, block_id: block, household_number: n, name: `${n}家`, address: '京田辺市', channels: ['app'] }).returning('id').executeTakeFirstOrThrow()).id;
    const first = await startDrill(ctx(), officer(), {
      kind: 'drill', title: '世帯', message: '', targetBlockIds: null, announced: false, deadlineAt: new Date(Date.now() + 600_000).toISOString(),
      volunteersAfterSeconds: 900, officersAfterSeconds: 1800,
    });
    const target = (drillId: string, householdId: string, associationId = a) =>
      sql`insert into drill_targets (drill_id, household_id, association_id, block_id, channels) values (${drillId}, ${householdId}, ${associationId}, ${block}, '{app}')`;

    // A household that does not exist, or one of another association named with this one: refused as a foreign key would.
    await expect(target(first.id, '00000000-0000-4000-8000-000000000000').execute(database.db)).rejects.toMatchObject({ code: '23503' });
    const other = await database.db.insertInto('associations').values({ name: '隣の自治会', slug: `next-${Date.now()}` }).returning('id').executeTakeFirstOrThrow();
    const otherBlock = await database.db.insertInto('blocks').values({ association_id: other.id, name: '1班', sort_order: 1 }).returning('id').executeTakeFirstOrThrow();
    const otherHome = await database.db
      .insertInto('households').values({ association_id: other.id, block_id: otherBlock.id, household_number: 'n1', name: '隣家', address: '隣町', channels: ['app'] })
      .returning('id').executeTakeFirstOrThrow();
    await expect(target(first.id, otherHome.id).execute(database.db)).rejects.toMatchObject({ code: '23503' });
    // A target's household, and a household's association, do not change.
    const some = await sql<{ household_id: string }>`select household_id from drill_targets where drill_id = ${first.id} limit 1`.execute(database.db);
    await expect(sql`update drill_targets set household_id = ${otherHome.id} where drill_id = ${first.id} and household_id = ${some.rows[0]!.household_id}`.execute(database.db)).rejects.toMatchObject({ code: '23503' });
    await expect(sql`update households set association_id = ${other.id} where id = ${some.rows[0]!.household_id}`.execute(database.db)).rejects.toMatchObject({ code: '23503' });

    // A household removed while a transaction is writing targets in its association: the removal waits, then takes them.
    const writer = new pg.Client({ connectionString: database.url });
    const remover = new pg.Client({ connectionString: database.url });
    await Promise.all([writer.connect(), remover.connect()]);
    try {
      const late = await home('late');
      await writer.query('begin');
      const drill = await writer.query<{ id: string }>(`insert into drills (association_id, kind, title, deadline_at) values ($1, 'drill', '同時', now() + interval '1 hour') returning id`, [a]);
      const second = drill.rows[0]!.id;
      await writer.query(`insert into drill_targets (drill_id, household_id, association_id, block_id, channels) values ($1, $2, $3, $4, '{app}')`, [second, late, a, block]);
      let removed = false;
      const removal = remover.query('delete from households where id = $1', [late]).then(() => (removed = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(removed).toBe(false);
      await writer.query('commit');
      await removal;
      const left = await sql<{ n: number }>`select count(*)::int as n from drill_targets where household_id = ${late}`.execute(database.db);
      expect(left.rows[0]!.n).toBe(0);
      expect(await kept(second)).toEqual(await recounted(second));

      // The other way round: a start writing targets for a household being removed waits, then fails.
      const gone = await home('gone');
      await remover.query('begin');
      await remover.query('delete from households where id = $1', [gone]);
      await writer.query('begin');
      const third = (await writer.query<{ id: string }>(`insert into drills (association_id, kind, title, deadline_at) values ($1, 'drill', '同時2', now() + interval '1 hour') returning id`, [a])).rows[0]!.id;
      let settled = false;
      const write = writer.query(`insert into drill_targets (drill_id, household_id, association_id, block_id, channels) values ($1, $2, $3, $4, '{app}')`, [third, gone, a, block]);
      write.then(() => (settled = true), () => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
      await remover.query('commit');
      await expect(write).rejects.toMatchObject({ code: '23503' });
      await writer.query('rollback');
    } finally {
      await Promise.all([writer.end(), remover.end()]);
    }

    // Removing a household takes its targets in every drill with it, and the kept figures follow.
    const both = await home('both');
    const again = await startDrill(ctx(), officer(), {
      kind: 'drill', title: '世帯2', message: '', targetBlockIds: null, announced: false, deadlineAt: new Date(Date.now() + 600_000).toISOString(),
      volunteersAfterSeconds: 900, officersAfterSeconds: 1800,
    });
    await target(first.id, both).execute(database.db);
    // A target written with its answer already (an operator's fix): counted in its 班 and minutes as it goes in.
    const fixed = await home('fixed');
    await sql`insert into drill_targets (drill_id, household_id, association_id, block_id, channels, status, first_answered_at, answered_at, accounted_at)
      values (${again.id}, ${fixed}, ${a}, ${block}, '{app}', 'needs_help', now() + interval '3 minutes', now() + interval '3 minutes', now() + interval '5 minutes')`.execute(database.db);
    expect(await kept(again.id)).toEqual(await recounted(again.id));
    await database.db.deleteFrom('households').where('id', '=', both).execute();
    const remaining = await sql<{ n: number }>`select count(*)::int as n from drill_targets where household_id = ${both}`.execute(database.db);
    expect(remaining.rows[0]!.n).toBe(0);
    expect(await kept(first.id)).toEqual(await recounted(first.id));
    expect(await kept(again.id)).toEqual(await recounted(again.id));
  });

  it('a dashboard served again is the current one: every answer, changed answer, task taken, renamed home, new member and renamed 班 shows in the next read', async () => {
    const drill = await startDrill(ctx(), officer(), {
      kind: 'drill', title: '再表示', message: '', targetBlockIds: null, announced: false, deadlineAt: new Date(Date.now() + 600_000).toISOString(),
      volunteersAfterSeconds: 900, officersAfterSeconds: 1800,
    });
    const captain: Actor = { ...officer(), personId: x.people.captain1.id, officer: false, captainOf: [x.blocks.block1.id] };
    const read = () => dashboard(ctx(), officer(), drill.id);
    const first = await read();
    // Nothing changed: the same figures, made once.
    expect(await read()).toBe(first);
    const captainsFirst = await dashboard(ctx(), captain, drill.id);

    const answer = (status: 'safe' | 'needs_help' | 'injured') =>
      recordAnswer(ctx(), { drillId: drill.id, householdId: x.households.A.id, status, where: 'home', note: '', channel: 'app', recordedBy: null });
    await answer('safe');
    const answered = await read();
    expect(answered.counts.safe).toBe(first.counts.safe + 1);
    expect(answered.unanswered.map((t) => t.householdId)).not.toContain(x.households.A.id);
    // The captain of A's 班 sees it too (their own scope, made and served apart from the officers').
    expect((await dashboard(ctx(), captain, drill.id)).counts.safe).toBe(captainsFirst.counts.safe + 1);

    // The same household answers again: no count of households accounted for moves, the status does.
    await answer('injured');
    const changed = await read();
    expect(changed.counts).toMatchObject({ safe: answered.counts.safe - 1, injured: answered.counts.injured + 1, accounted: answered.counts.accounted });
    expect(changed.needsFollowUp.map((t) => t.householdId)).toContain(x.households.A.id);

    // Changes no count shows: someone on their way, the home's name, a new member, the 班's name.
    const silent = changed.unanswered[0]!;
    await takeTask(ctx(), officer(), drill.id, silent.householdId);
    expect((await read()).unanswered.find((t) => t.householdId === silent.householdId)!.takenBy).toBe(x.people.officer.name);
    await database.db.updateTable('households').set({ name: '改名家' }).where('id', '=', silent.householdId).execute();
    expect((await read()).unanswered.find((t) => t.householdId === silent.householdId)!.name).toBe('改名家');
    await database.db.insertInto('people').values({ association_id: x.association.id, household_id: silent.householdId, name: '新しい家族' }).execute();
    expect((await read()).unanswered.find((t) => t.householdId === silent.householdId)!.members.map((m) => m.name)).toContain('新しい家族');
    await database.db.updateTable('blocks').set({ name: '改名班' }).where('id', '=', silent.blockId).execute();
    const renamed = await read();
    expect(renamed.byBlock.find((b) => b.blockId === silent.blockId)!.blockName).toBe('改名班');
    expect(renamed.unanswered.find((t) => t.householdId === silent.householdId)!.blockName).toBe('改名班');

    // Ended: the drill's own line says so.
    await database.db.updateTable('drills').set({ status: 'ended', ended_at: new Date() }).where('id', '=', drill.id).execute();
    expect((await read()).drill.status).toBe('ended');
    await database.db.updateTable('blocks').set({ name: x.blocks.block1.id === silent.blockId ? x.blocks.block1.name : x.blocks.block2.name }).where('id', '=', silent.blockId).execute();
  });
});
