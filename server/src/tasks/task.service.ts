import type { Db } from '../platform/db/database.js';
import { requireVisible, type Actor } from '../common/access.js';
import type { Task } from '../contracts/circulars.js';
import { membersOf } from '../common/people.repository.js';
import { findTasks, markTaskDone } from './task.repository.js';
import { taskPolicy } from './task.policy.js';

/** A 班長's to-do list: households to visit. Officers see every 班's. */
async function loadTasks(db: Db, actor: Actor, where: { status?: 'open' | 'done'; id?: string }): Promise<Task[]> {
  const rows = await findTasks(db, { associationId: actor.associationId, blockIds: taskPolicy.taskBlocks(actor), ...where });
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
  await markTaskDone(db, id, note, actor.personId);
  return (await loadTasks(db, actor, { id }))[0]!;
}
