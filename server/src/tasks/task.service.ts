import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import { policy, requireVisible, type Actor } from '../common/access.js';
import type { Task } from '../contracts/circulars.js';
import { membersOf } from '../common/people.repository.js';

/** A 班長's to-do list: households to visit. Officers see every 班's. */
const taskScope = (actor: Actor) => policy.followUpBlocks(actor, 'have task lists');

async function loadTasks(db: Db, actor: Actor, where: { status?: 'open' | 'done'; id?: string }): Promise<Task[]> {
  const blocks = taskScope(actor);
  const rows = await db
    .selectFrom('captain_tasks as t')
    .innerJoin('households as h', 'h.id', 't.household_id')
    .innerJoin('blocks as b', 'b.id', 't.block_id')
    .leftJoin('circulars as c', 'c.id', 't.circular_id')
    .select([
      't.id', 't.kind', 't.status', 't.created_at', 'c.id as circular_id', 'c.title as circular_title', 'c.due_at',
      'h.id as household_id', 'h.household_number', 'h.name', 'h.address', 'h.channels', 'h.responder_notes', 'b.name as block_name',
    ])
    .where('t.association_id', '=', actor.associationId)
    .$if(!!blocks, (q) => q.where('t.block_id', 'in', blocks!))
    .$if(!!where.status, (q) => q.where('t.status', '=', where.status!))
    .$if(!!where.id, (q) => q.where('t.id', '=', where.id!))
    .orderBy('b.sort_order')
    .orderBy('h.household_number')
    .orderBy('t.created_at')
    .limit(1000)
    .execute();
  const members = await membersOf(db, rows.map((r) => r.household_id));
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    createdAt: r.created_at.toISOString(),
    circular: r.circular_id ? { id: r.circular_id, title: r.circular_title!, dueAt: r.due_at?.toISOString() ?? null } : null,
    household: {
      id: r.household_id, householdNumber: r.household_number, name: r.name, address: r.address, blockName: r.block_name,
      channels: r.channels, responderNotes: r.responder_notes, members: members.get(r.household_id) ?? [],
    },
  }));
}

export async function listTasks(db: Db, actor: Actor, status: 'open' | 'done') {
  return { items: await loadTasks(db, actor, { status }) };
}

export async function resolveTask(db: Db, actor: Actor, id: string, note: string) {
  const [task] = await loadTasks(db, actor, { id });
  requireVisible(!!task, 'task');
  await db
    .updateTable('captain_tasks')
    .set({ status: 'done', note, resolved_at: sql`coalesce(resolved_at, now())`, resolved_by: actor.personId })
    .where('id', '=', id)
    .execute();
  return (await loadTasks(db, actor, { id }))[0]!;
}
