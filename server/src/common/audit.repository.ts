import type { Db } from '../platform/db/database.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';

/**
 * The association's audit log, written by every capability that changes who people are or
 * what they may do (roster edits, imports, passcodes, password changes, joins); officers read it.
 */

/** One line in the association's audit log: who did what to which subject, in the caller's transaction. */
export function audit(db: Db, entry: { associationId: string; actorPersonId: string | null; action: string; subject?: string; detail?: unknown }) {
  return db
    .insertInto('audit_log')
    .values({
      association_id: entry.associationId,
      actor_person_id: entry.actorPersonId,
      action: entry.action,
      subject: entry.subject ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}

/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'audit', run: (db) => audit(db, { associationId: '11111111-1111-4111-8111-111111111111', actorPersonId: null, action: 'example', subject: 'household', detail: { field: 'name' } }) },
];
