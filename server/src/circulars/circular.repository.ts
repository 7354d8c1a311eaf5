import { sql, type Insertable, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { CircularAttachmentTable, CircularStatus, CircularTable } from './circular.tables.js';
import type { Database } from '../platform/db/schema.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';

/** The SQL of circulars themselves, their attachments and who opened them (recipients: recipient.repository.ts). */

export function findCircular(db: Db, id: string) {
  return db.selectFrom('circulars').selectAll().where('id', '=', id).executeTakeFirst();
}
export type CircularRow = NonNullable<Awaited<ReturnType<typeof findCircular>>>;

/** The recipient rows that make a circular someone's: their households and the 班 they captain. */
export interface ReaderRows {
  householdIds: string[];
  blockIds: string[];
}

/**
 * One page of an association's circulars, newest first, and how many there are in all.
 * `readers` limits it to what was published or withdrawn and reached those rows (undefined:
 * every circular, for officers). The search finds the words as typed (`%` and `_` are not
 * wildcards) in the title or the plain text.
 */
export async function listCircularsPage(
  db: Db,
  query: { associationId: string; search?: string; status?: CircularStatus; readers?: ReaderRows; limit: number; offset: number },
) {
  const { readers } = query;
  const search = query.search ? `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const base = db
    .selectFrom('circulars')
    .where('circulars.association_id', '=', query.associationId)
    .$if(!!search, (q) => q.where(sql<string>`circulars.title || ' ' || circulars.plain_text`, 'ilike', search!))
    .$if(!!query.status, (q) => q.where('circulars.status', '=', query.status!))
    .$if(!!readers, (q) =>
      q.where('circulars.status', 'in', ['published', 'withdrawn']).where((eb) =>
        eb.exists(
          eb
            .selectFrom('circular_recipients as r')
            .select(sql`1`.as('one'))
            .whereRef('r.circular_id', '=', 'circulars.id')
            .where((w) => w.or([isAnyOf('r.household_id', readers!.householdIds), isAnyOf('r.block_id', readers!.blockIds)])),
        ),
      ),
    );
  const [rows, total] = await Promise.all([
    base.selectAll('circulars').orderBy(sql`coalesce(circulars.published_at, circulars.publish_at, circulars.created_at)`, 'desc').limit(query.limit).offset(query.offset).execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}

export function insertCircular(db: Db, values: Insertable<CircularTable>) {
  return db.insertInto('circulars').values(values).returning('id').executeTakeFirstOrThrow();
}

export function updateCircular(db: Db, id: string, changes: Updateable<CircularTable>) {
  return db.updateTable('circulars').set({ ...changes, updated_at: new Date() }).where('id', '=', id).execute();
}

export function deleteCircular(db: Db, id: string) {
  return db.deleteFrom('circulars').where('id', '=', id).execute();
}

/**
 * The moment of publishing: only a draft or scheduled circular whose time has come (a second
 * run, or a job for a time since moved later, changes nothing and returns nothing).
 */
export function markPublished(trx: Transaction<Database>, id: string) {
  return trx
    .updateTable('circulars')
    .set({ status: 'published', published_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .where('status', 'in', ['draft', 'scheduled'])
    .where((eb) => eb.or([eb('publish_at', 'is', null), eb('publish_at', '<=', sql<Date>`now() + interval '1 second'`)]))
    .returningAll()
    .executeTakeFirst();
}

export async function preferredLanguage(db: Db, personId: string) {
  const person = await db.selectFrom('people').select('preferred_language').where('id', '=', personId).executeTakeFirst();
  return person?.preferred_language ?? 'ja';
}

/** This member opened the circular (per-member read state; the first time stays). */
export function recordRead(db: Db, circularId: string, personId: string) {
  return db.insertInto('circular_reads').values({ circular_id: circularId, person_id: personId }).onConflict((oc) => oc.doNothing()).execute();
}

export function attachmentsOf(db: Db, circularId: string) {
  return db.selectFrom('circular_attachments').select(['id', 'filename', 'content_type', 'size']).where('circular_id', '=', circularId).orderBy('created_at').execute();
}

export function insertAttachment(db: Db, values: Insertable<CircularAttachmentTable>) {
  return db.insertInto('circular_attachments').values(values).returning(['id', 'filename', 'content_type', 'size']).executeTakeFirstOrThrow();
}

/** Deletes the attachment if it belongs to the circular; answers how many rows went (0 or 1). */
export async function deleteAttachment(db: Db, circularId: string, attachmentId: string) {
  const deleted = await db.deleteFrom('circular_attachments').where('id', '=', attachmentId).where('circular_id', '=', circularId).executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

export function findAttachment(db: Db, circularId: string, attachmentId: string) {
  return db
    .selectFrom('circular_attachments')
    .select(['filename', 'content_type', 'content', 'sha256'])
    .where('id', '=', attachmentId)
    .where('circular_id', '=', circularId)
    .executeTakeFirst();
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'findCircular', run: (db) => findCircular(db, ID) },
  // Every optional clause at once (an officer passes no readers; a search and a status are optional).
  { name: 'listCircularsPage', run: (db) => listCircularsPage(db, { associationId: ID, search: '夏祭り', status: 'published', readers: { householdIds: [ID], blockIds: [OTHER] }, limit: 20, offset: 0 }) },
  { name: 'insertCircular', run: (db) => insertCircular(db, { association_id: ID, created_by: OTHER, title: 'お知らせ', category: 'notice', question: JSON.stringify({ type: 'yes_no', prompt: '参加しますか' }) }) },
  { name: 'updateCircular', run: (db) => updateCircular(db, ID, { title: 'お知らせ', english: JSON.stringify({ title: 'Notice', bodyMarkdown: '' }) }) },
  { name: 'deleteCircular', run: (db) => deleteCircular(db, ID) },
  { name: 'markPublished', run: (db) => db.transaction().execute((trx) => markPublished(trx, ID)) },
  { name: 'preferredLanguage', run: (db) => preferredLanguage(db, ID) },
  { name: 'recordRead', run: (db) => recordRead(db, ID, OTHER) },
  { name: 'attachmentsOf', run: (db) => attachmentsOf(db, ID) },
  { name: 'insertAttachment', run: (db) => insertAttachment(db, { circular_id: ID, association_id: OTHER, filename: 'map.png', content_type: 'image/png', size: 3, sha256: 'ab', content: Buffer.from('png') }) },
  { name: 'deleteAttachment', run: (db) => deleteAttachment(db, ID, OTHER) },
  { name: 'findAttachment', run: (db) => findAttachment(db, ID, OTHER) },
];
