import type { Db } from '../../../server/src/platform/db/database.js';
import { addEvent, insertDrill } from '../../../server/src/drills/drill.repository.js';
import { insertTargets, saveAnswer } from '../../../server/src/drills/target.repository.js';
import { reachNow } from '../../../server/src/drills/escalation.service.js';

/**
 * A drill as startDrill writes it (the drill, one target per household in scope, its
 * 'started' event), through the drills' repositories, but without its jobs: a test runs the
 * steps itself, when it chooses.
 */
export async function createDrill(
  db: Db,
  associationId: string,
  options: { title?: string; blockIds?: string[] | null; deadlineAt?: Date; volunteersAfterSeconds?: number; officersAfterSeconds?: number; startedBy?: string | null } = {},
) {
  return db.transaction().execute(async (trx) => {
    const drill = await insertDrill(trx, {
      association_id: associationId,
      kind: 'drill',
      title: options.title ?? '訓練',
      target_block_ids: options.blockIds ?? null,
      deadline_at: options.deadlineAt ?? new Date(Date.now() + 600_000),
      volunteers_after_seconds: options.volunteersAfterSeconds ?? 900,
      officers_after_seconds: options.officersAfterSeconds ?? 1800,
      started_by: options.startedBy ?? null,
    });
    await addEvent(trx, drill.id, 'started');
    await insertTargets(trx, drill, await reachNow(trx, associationId));
    return drill;
  });
}

/** A household's answer from the app, as its target records it. */
export function answered(db: Db, drillId: string, householdId: string, status: 'safe' | 'needs_help' | 'injured' = 'safe') {
  return saveAnswer(db, drillId, householdId, { status, where: 'home', note: '', channel: 'app' });
}
