import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../server/src/platform/db/schema.js';
import type { TestDatabase } from '../support/database.js';
import type { TestServer } from '../support/server.js';
import { seedAssociation, type SeededAssociation } from '../support/fixtures.js';
import { actorOf, insertDraftCircular, insertPublishedCircular } from '../support/factories/circulars.js';
import type { ModuleContext } from '../../server/src/common/service-context.js';
import * as circulars from '../../server/src/circulars/circular.service.js';
import { findCircular } from '../../server/src/circulars/circular.repository.js';
import { insertRecipients, recipientOf, recipientsOf } from '../../server/src/circulars/recipient.repository.js';
import { listTasks, resolveTask } from '../../server/src/tasks/task.service.js';
import { startSuite, stopSuite } from '../support/suite.js';

/** The circulars' services called directly (no HTTP), on this file's database, with the app's own context. */

let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let ctx: ModuleContext;

beforeAll(async () => {
  ({ database, server, x } = await startSuite({ label: 'sv' }));
  ctx = server.app.context;
});
afterAll(() => stopSuite({ server, database }));

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3600_000);

/** The circular's jobs in any state, by queue name (reading pg-boss's table; tests never write it). */
async function jobsOf(db: Kysely<any>, circularId: string) {
  const rows = await sql<{ name: string; start_after: Date }>`select name, start_after from pgboss.job where data->>'circularId' = ${circularId} order by name`.execute(db);
  return rows.rows;
}

async function refusal(promise: Promise<unknown>) {
  return promise.then(() => 'allowed', (error: { status?: number }) => error.status);
}

class RolledBack extends Error {}

describe('publishing', () => {
  it('writes one recipient row per household in scope and sends delivery, reminder and overdue jobs with them', async () => {
    const dueAt = hoursFromNow(48);
    const draft = await insertDraftCircular(database.db, x, { due_at: dueAt, reminder_hours: [24] });
    const published = await circulars.publish(ctx, actorOf(x, 'officer'), draft.id);
    expect(published.status).toBe('published');
    const recipients = await recipientsOf(database.db, draft.id);
    expect(recipients.map((r) => r.household_id).sort()).toEqual(Object.values(x.households).map((h) => h.id).sort());
    const jobs = await jobsOf(database.db, draft.id);
    expect(jobs.map((j) => j.name)).toEqual(['circular-deliver', 'circular-overdue', 'circular-reminder']);
    expect(jobs.find((j) => j.name === 'circular-overdue')!.start_after.getTime()).toBe(dueAt.getTime());
    expect(Math.abs(jobs.find((j) => j.name === 'circular-reminder')!.start_after.getTime() - hoursFromNow(24).getTime())).toBeLessThan(60_000);
  });

  it('no job exists without the state: a publish whose transaction rolls back leaves neither recipients nor jobs', async () => {
    const draft = await insertDraftCircular(database.db, x, { due_at: hoursFromNow(48), target_block_ids: [x.blocks.block1.id] });
    // The last job of the step fails to be written: everything the transaction wrote before it goes too.
    const sent: string[] = [];
    const failingJobs: typeof ctx.jobs = {
      ...ctx.jobs,
      send: async (trx, queue, data, options) => {
        if (queue === 'circular-overdue') throw new RolledBack();
        const id = await ctx.jobs.send(trx, queue, data, options);
        // Inside the transaction, the status, the recipients and the job are there together.
        const db = trx as Transaction<Database>;
        expect((await findCircular(db, draft.id))!.status).toBe('published');
        expect(await recipientsOf(db, draft.id)).toHaveLength(2);
        expect((await jobsOf(db, draft.id)).map((j) => j.name)).toContain(queue);
        sent.push(queue);
        return id;
      },
    };
    await expect(circulars.publishNow({ ...ctx, jobs: failingJobs }, draft.id)).rejects.toBeInstanceOf(RolledBack);
    expect(sent).toEqual(['circular-deliver', 'circular-reminder']);
    expect((await findCircular(database.db, draft.id))!.status).toBe('draft');
    expect(await recipientsOf(database.db, draft.id)).toEqual([]);
    expect(await jobsOf(database.db, draft.id)).toEqual([]);

    // Published for real, once: a second run (a retried job) finds it published and does nothing.
    expect(await circulars.publishNow(ctx, draft.id)).toBe(true);
    expect(await circulars.publishNow(ctx, draft.id)).toBe(false);
    expect(await recipientsOf(database.db, draft.id)).toHaveLength(2);
    expect((await jobsOf(database.db, draft.id)).map((j) => j.name)).toEqual(['circular-deliver', 'circular-overdue', 'circular-reminder']);
  });

  it('only officers publish, and only their own association’s circulars', async () => {
    const draft = await insertDraftCircular(database.db, x);
    expect(await refusal(circulars.publish(ctx, actorOf(x, 'captain1'), draft.id))).toBe(403);
    const other = await seedAssociation(database.db, 'sv-y');
    expect(await refusal(circulars.publish(ctx, actorOf(other, 'officer'), draft.id))).toBe(404);
    expect((await findCircular(database.db, draft.id))!.status).toBe('draft');
  });
});

describe("a circular's recipients", () => {
  it('name a circular and households of their association, keep their keys, go with them, and a household deleted during a publish leaves no recipient', async () => {
    // An association of its own: the other tests count x's households.
    const y = await seedAssociation(database.db, 'rc');
    const other = await seedAssociation(database.db, 'rc-other');
    const circular = await insertDraftCircular(database.db, y);
    await circulars.publish(ctx, actorOf(y, 'officer'), circular.id);
    expect(await recipientsOf(database.db, circular.id)).toHaveLength(4);
    const row = (circularId: string, household: { id: string; block_id: string }, associationId: string) => sql`
      insert into circular_recipients (circular_id, household_id, association_id, block_id, channels)
      values (${circularId}, ${household.id}, ${associationId}, ${household.block_id}, '{app}')`.execute(database.db);
    // A circular that does not exist, a household of another association, either named with the wrong association: refused as the foreign keys did.
    await expect(row('00000000-0000-4000-8000-000000000000', other.households.A, y.association.id)).rejects.toMatchObject({ code: '23503' });
    await expect(row(circular.id, other.households.A, y.association.id)).rejects.toMatchObject({ code: '23503' });
    await expect(row(circular.id, other.households.A, other.association.id)).rejects.toMatchObject({ code: '23503' });
    // Keys do not change: a recipient's, its circular's, its household's.
    await expect(sql`update circular_recipients set household_id = ${other.households.A.id} where circular_id = ${circular.id} and household_id = ${y.households.A.id}`.execute(database.db)).rejects.toMatchObject({ code: '23503' });
    await expect(sql`update circulars set association_id = ${other.association.id} where id = ${circular.id}`.execute(database.db)).rejects.toMatchObject({ code: '23503' });
    await expect(sql`update households set association_id = ${other.association.id} where id = ${y.households.A.id}`.execute(database.db)).rejects.toMatchObject({ code: '23503' });

    // A household deleted while a publish that names it is uncommitted waits for it, then takes its recipient row with it.
    const leaving = await database.db
      .insertInto('households')
      .values({ association_id: y.association.id, block_id: y.blocks.block1.id, household_number: '199', name: '転出家', address: '京田辺市 199', channels: ['app'] })
      .returning(['id', 'block_id'])
      .executeTakeFirstOrThrow();
    const second = await insertDraftCircular(database.db, y);
    let deleted: Promise<unknown> | undefined;
    let deletedYet = false;
    await database.db.transaction().execute(async (trx) => {
      expect(await insertRecipients(trx, second)).toHaveLength(5);
      deleted = database.db.deleteFrom('households').where('id', '=', leaving.id).execute().then(() => (deletedYet = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(deletedYet).toBe(false);
    });
    await deleted;
    const left = await recipientsOf(database.db, second.id);
    expect(left.map((r) => r.household_id).sort()).toEqual(Object.values(y.households).map((h) => h.id).sort());

    // A publish naming a household whose deletion is uncommitted waits for it, then is refused (nothing half-written).
    const leavingToo = await database.db
      .insertInto('households')
      .values({ association_id: y.association.id, block_id: y.blocks.block2.id, household_number: '198', name: '転出家二', address: '京田辺市 198', channels: ['app'] })
      .returning('id')
      .executeTakeFirstOrThrow();
    const third = await insertDraftCircular(database.db, y);
    let publishing: Promise<unknown> | undefined;
    await database.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('households').where('id', '=', leavingToo.id).execute();
      publishing = insertRecipients(database.db, third);
      publishing.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    await expect(publishing).rejects.toMatchObject({ code: '23503' });
    expect(await recipientsOf(database.db, third.id)).toEqual([]);

    // Deleting a circular takes its recipients with it.
    await database.db.deleteFrom('circulars').where('id', '=', second.id).execute();
    expect(await recipientsOf(database.db, second.id)).toEqual([]);
    expect(await recipientsOf(database.db, circular.id)).toHaveLength(4);
  });
});

describe('delivering', () => {
  it('pushes and speaks through reach: speakers only where the household chose the speaker channel; a reminder reaches the unread only', async () => {
    const circular = await insertPublishedCircular(database.db, x);
    // A speaker in household A (app only) and one in C (speaker and paper): only C's reads aloud.
    await database.db
      .insertInto('devices')
      .values([x.households.A, x.households.C].map((h) => ({ association_id: x.association.id, household_id: h.id, label: `speaker ${h.name}`, secret_hash: 'unused', credentials_issued_at: new Date() })))
      .execute();
    expect(await circulars.deliver(ctx, circular.id)).toEqual({ pushed: 0, spoken: 1 });

    await circulars.acknowledge(ctx, { circularId: circular.id, householdId: x.households.C.id, personId: null, channel: 'speaker' });
    expect(await circulars.remind(ctx, circular.id, { hours: 24 })).toEqual({ pushed: 0, spoken: 0 });
    const counted = await database.db.selectFrom('circular_recipients').select(['household_id', 'reminders_sent']).where('circular_id', '=', circular.id).execute();
    const remindersOf = (id: string) => counted.find((r) => r.household_id === id)!.reminders_sent;
    expect([remindersOf(x.households.A.id), remindersOf(x.households.B.id), remindersOf(x.households.D.id), remindersOf(x.households.C.id)]).toEqual([1, 1, 1, 0]);
  });
});

describe('acknowledging', () => {
  it('keeps the first acknowledgement: who, when and by which channel; acknowledging again changes nothing', async () => {
    const circular = await insertPublishedCircular(database.db, x, { target_block_ids: [x.blocks.block1.id] });
    expect(circular.recipients).toBe(2);
    const first = await circulars.acknowledgeAsMember(ctx, actorOf(x, 'memberA'), circular.id);
    expect(first).toMatchObject({ channel: 'app', first: true });
    const again = await circulars.acknowledge(ctx, { circularId: circular.id, householdId: x.households.A.id, personId: null, channel: 'speaker' });
    expect(again).toEqual({ acknowledgedAt: first.acknowledgedAt, channel: 'app', first: false });
    expect(await circulars.acknowledgeAsMember(ctx, actorOf(x, 'memberA'), circular.id)).toEqual(again);
    const row = await recipientOf(database.db, circular.id, x.households.A.id);
    expect(row).toMatchObject({ acknowledged_by: x.people.memberA.id, acknowledged_channel: 'app' });
  });

  it("another 班's circular does not exist for a household: refused, and nothing is recorded as read", async () => {
    const circular = await insertPublishedCircular(database.db, x, { target_block_ids: [x.blocks.block1.id] });
    expect(await refusal(circulars.acknowledgeAsMember(ctx, actorOf(x, 'memberB'), circular.id))).toBe(404);
    expect(await refusal(circulars.acknowledge(ctx, { circularId: circular.id, householdId: x.households.B.id, personId: x.people.memberB.id, channel: 'app' }))).toBe(404);
    expect(await refusal(circulars.acknowledgeAsMember(ctx, actorOf(x, 'watcherA'), circular.id))).toBe(404);
    const reads = await database.db.selectFrom('circular_reads').select('person_id').where('circular_id', '=', circular.id).execute();
    expect(reads).toEqual([]);
  });
});

describe('overdue tasks', () => {
  it("at the due date the unread become tasks on their 班長's list, once; a late acknowledgement, a 班長's note and a withdrawal close them", async () => {
    const circular = await insertPublishedCircular(database.db, x, { due_at: new Date(Date.now() - 1000) });
    await circulars.acknowledge(ctx, { circularId: circular.id, householdId: x.households.A.id, personId: x.people.memberA.id, channel: 'app' });
    expect(await circulars.markOverdue(ctx, circular.id)).toBe(3);
    // A retried job creates no second task for a household.
    expect(await circulars.markOverdue(ctx, circular.id)).toBe(0);

    const openOf = async (who: 'officer' | 'captain1' | 'captain2') =>
      (await listTasks(database.db, actorOf(x, who), 'open')).items.filter((t) => t.circular?.id === circular.id);
    expect((await openOf('captain1')).map((t) => t.household.name)).toEqual(['鈴木家']);
    expect((await openOf('captain2')).map((t) => t.household.name)).toEqual(['佐藤家', '高橋家']);
    expect(await openOf('officer')).toHaveLength(3);
    expect(await refusal(listTasks(database.db, actorOf(x, 'memberA'), 'open'))).toBe(403);

    // The paper 回覧板 came back signed: that household's task closes by itself.
    await circulars.acknowledge(ctx, { circularId: circular.id, householdId: x.households.C.id, personId: x.people.captain1.id, channel: 'paper' });
    expect(await openOf('captain1')).toEqual([]);
    const closed = await database.db.selectFrom('captain_tasks').select(['status', 'note']).where('circular_id', '=', circular.id).where('household_id', '=', x.households.C.id).executeTakeFirstOrThrow();
    expect(closed).toEqual({ status: 'done', note: '既読 (paper)' });

    // A 班長 resolves their own 班's task, not another 班's.
    const [taskB, taskD] = await openOf('captain2');
    expect(await refusal(resolveTask(database.db, actorOf(x, 'captain1'), taskB!.id, '訪問しました'))).toBe(404);
    expect(await resolveTask(database.db, actorOf(x, 'captain2'), taskB!.id, '訪問しました')).toMatchObject({ id: taskB!.id, status: 'done' });

    // Withdrawn: the rest is not chased any more, and the overdue step does nothing.
    await circulars.withdraw(ctx, actorOf(x, 'officer'), circular.id, '中止になりました');
    expect(await openOf('officer')).toEqual([]);
    const withdrawn = await database.db.selectFrom('captain_tasks').select('note').where('id', '=', taskD!.id).executeTakeFirstOrThrow();
    expect(withdrawn.note).toBe('回覧が取り下げられました');
    expect(await circulars.markOverdue(ctx, circular.id)).toBe(0);
  });
});
