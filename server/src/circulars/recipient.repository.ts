import { sql, type ExpressionBuilder, type Transaction } from 'kysely';
import type { Answer, Question } from '../contracts/circulars.js';
import type { Db } from '../platform/db/database.js';
import type { Channel } from '../roster/roster.tables.js';
import type { Database } from '../platform/db/schema.js';
import type { SqlExample } from '../platform/db/sql-snapshot.js';
import { isAnyOf } from '../platform/db/sql.js';
import type { ReaderRows } from './circular.repository.js';
import { canBeReached } from '../common/reachability.repository.js';

/** The SQL of a circular's recipients: one row per household it was published to, with its read and answer state. */

/**
 * Writes one recipient row per household in scope, in one statement: publishing to 2,000
 * households is one INSERT … SELECT, not 2,000 round trips. Households added later do not
 * receive it; the recipients are who was in scope when it was published. Returns the rows it
 * wrote (household and 班), so that publishing tells them without reading them back.
 */
export function insertRecipients(db: Db, circular: { id: string; association_id: string; target_block_ids: string[] | null }) {
  return db
    .insertInto('circular_recipients')
    .columns(['circular_id', 'household_id', 'association_id', 'block_id', 'channels'])
    .expression((eb) =>
      eb
        .selectFrom('households')
        .select([eb.val(circular.id).as('circular_id'), 'id', 'association_id', 'block_id', 'channels'])
        .where('association_id', '=', circular.association_id)
        .$if(circular.target_block_ids !== null, (q) => q.where(isAnyOf('block_id', circular.target_block_ids!))),
    )
    .onConflict((oc) => oc.doNothing())
    .returning(['household_id', 'block_id'])
    .execute();
}

export function recipientOf(db: Db, circularId: string, householdId: string) {
  return db.selectFrom('circular_recipients').selectAll().where('circular_id', '=', circularId).where('household_id', '=', householdId).executeTakeFirst();
}

/** Every recipient's household and 班: the rooms a circular's live events go to. */
export function recipientsOf(db: Db, circularId: string) {
  return db.selectFrom('circular_recipients').select(['household_id', 'block_id']).where('circular_id', '=', circularId).execute();
}

/** Whether the circular reached any of these rows (a household of the reader's, a 班 they captain). */
export async function reachesAny(db: Db, circularId: string, readers: ReaderRows) {
  const row = await db
    .selectFrom('circular_recipients')
    .select('household_id')
    .where('circular_id', '=', circularId)
    .where((eb) => eb.or([isAnyOf('household_id', readers.householdIds), isAnyOf('block_id', readers.blockIds)]))
    .limit(1)
    .executeTakeFirst();
  return !!row;
}

/** Read-rate counts for many circulars at once, from the recipients' index (`blockIds`: only these 班). */
export async function progressCounts(db: Db, circularIds: string[], blockIds?: string[]) {
  if (!circularIds.length || blockIds?.length === 0) return new Map<string, { total: number; acknowledged: number }>();
  const rows = await db
    .selectFrom('circular_recipients')
    .select(['circular_id', sql<number>`count(*)::int`.as('total'), sql<number>`count(acknowledged_at)::int`.as('acknowledged')])
    .where(isAnyOf('circular_id', circularIds))
    .$if(blockIds !== undefined, (q) => q.where(isAnyOf('block_id', blockIds!)))
    .groupBy('circular_id')
    .execute();
  return new Map(rows.map((r) => [r.circular_id, { total: r.total, acknowledged: r.acknowledged }]));
}

/** When this household acknowledged each of these circulars and answered its question (for a list). */
export async function readStateOf(db: Db, householdId: string, circularIds: string[]) {
  if (!circularIds.length) return new Map<string, { acknowledged_at: Date | null; answered_at: Date | null }>();
  const rows = await db
    .selectFrom('circular_recipients')
    .select(['circular_id', 'acknowledged_at', 'answered_at'])
    .where('household_id', '=', householdId)
    .where(isAnyOf('circular_id', circularIds))
    .execute();
  return new Map(rows.map((r) => [r.circular_id, { acknowledged_at: r.acknowledged_at, answered_at: r.answered_at }]));
}

/** A page of recipient households in id order after a cursor (the unread only, for a reminder). */
export async function recipientPage(db: Db, circularId: string, page: { after: string | null; limit: number; unreadOnly: boolean }) {
  const rows = await db
    .selectFrom('circular_recipients')
    .select('household_id')
    .where('circular_id', '=', circularId)
    .$if(page.unreadOnly, (q) => q.where('acknowledged_at', 'is', null))
    .$if(page.after !== null, (q) => q.where('household_id', '>', page.after!))
    .orderBy('household_id')
    .limit(page.limit)
    .execute();
  return rows.map((r) => r.household_id);
}

/** One more reminder was sent to these households, where still unread. */
export function countReminder(db: Db, circularId: string, householdIds: string[]) {
  return db
    .updateTable('circular_recipients')
    .set((eb) => ({ reminders_sent: eb('reminders_sent', '+', 1) }))
    .where('circular_id', '=', circularId)
    .where(isAnyOf('household_id', householdIds))
    .where('acknowledged_at', 'is', null)
    .execute();
}

/**
 * The first acknowledgement of each of these households, in one statement (a 班長's bulk paper
 * sign-off is one UPDATE, not one per home): the rows it changed. A household that had
 * acknowledged already, or is no recipient, is not among them.
 */
export function acknowledgeFirst(db: Db, ack: { circularId: string; householdIds: readonly string[]; personId: string | null; channel: Channel }) {
  return db
    .updateTable('circular_recipients')
    .set({ acknowledged_at: new Date(), acknowledged_by: ack.personId, acknowledged_channel: ack.channel })
    .where('circular_id', '=', ack.circularId)
    .where(isAnyOf('household_id', ack.householdIds))
    .where('acknowledged_at', 'is', null)
    .returning(['household_id', 'acknowledged_at', 'acknowledged_channel', 'block_id', 'association_id'])
    .execute();
}

/** A household's answer: a row in the history and the current answer on its recipient row. */
export async function saveAnswer(trx: Transaction<Database>, given: { circularId: string; householdId: string; personId: string; answer: Answer }) {
  const answer = JSON.stringify(given.answer);
  await trx.insertInto('circular_answers').values({ circular_id: given.circularId, household_id: given.householdId, person_id: given.personId, channel: 'app', answer }).execute();
  await trx.updateTable('circular_recipients').set({ answer, answered_at: new Date() }).where('circular_id', '=', given.circularId).where('household_id', '=', given.householdId).execute();
}

/** The recipients in scope: every one (`blockIds` undefined), or those of these 班. */
function recipientsInScope(db: Db, circularId: string, blockIds: string[] | undefined) {
  return db
    .selectFrom('circular_recipients')
    .where('circular_recipients.circular_id', '=', circularId)
    .$if(blockIds !== undefined, (q) => q.where(isAnyOf('circular_recipients.block_id', blockIds!)));
}

/** Recipients, read and answered, per 班 in the 班's order. */
export function progressByBlock(db: Db, circularId: string, blockIds: string[] | undefined) {
  return recipientsInScope(db, circularId, blockIds)
    .innerJoin('blocks', 'blocks.id', 'circular_recipients.block_id')
    .select([
      'circular_recipients.block_id',
      'blocks.name',
      sql<number>`count(*)::int`.as('total'),
      sql<number>`count(acknowledged_at)::int`.as('acknowledged'),
      sql<number>`count(answered_at)::int`.as('answered'),
    ])
    .groupBy(['circular_recipients.block_id', 'blocks.name', 'blocks.sort_order'])
    .orderBy('blocks.sort_order')
    .execute();
}

/** Acknowledgements per channel (app, speaker, paper). */
export function acknowledgementsByChannel(db: Db, circularId: string, blockIds: string[] | undefined) {
  return recipientsInScope(db, circularId, blockIds)
    .select(['acknowledged_channel', sql<number>`count(*)::int`.as('n')])
    .where('acknowledged_channel', 'is not', null)
    .groupBy('acknowledged_channel')
    .execute();
}

/** Answer counts per option (yes/no, attending or not, with the headcount), computed by PostgreSQL over the current answers. */
export async function answerTally(db: Db, circularId: string, blockIds: string[] | undefined, question: Question) {
  const answered = recipientsInScope(db, circularId, blockIds).where('circular_recipients.answer', 'is not', null);
  if (question.type === 'yes_no' || question.type === 'attendance') {
    const key = question.type === 'yes_no' ? 'yes' : 'attending';
    const row = await answered
      .select([
        sql<number>`count(*) filter (where (answer->>${key})::boolean)::int`.as('a'),
        sql<number>`count(*) filter (where not (answer->>${key})::boolean)::int`.as('b'),
        sql<number>`coalesce(sum((answer->>'headcount')::int) filter (where (answer->>${key})::boolean), 0)::int`.as('headcount'),
      ])
      .executeTakeFirst();
    return { counts: [row?.a ?? 0, row?.b ?? 0], headcount: question.type === 'attendance' ? (row?.headcount ?? 0) : null };
  }
  const option = question.type === 'single' ? sql<number>`(answer->>'option')::int` : sql<number>`jsonb_array_elements_text(answer->'options')::int`;
  // A subquery first: a set-returning function (one row per chosen option) cannot be grouped directly.
  const rows = await db
    .selectFrom(answered.select(option.as('option')).as('chosen'))
    .select(['chosen.option', sql<number>`count(*)::int`.as('n')])
    .groupBy('chosen.option')
    .execute();
  return { counts: question.options.map((_, i) => rows.find((r) => r.option === i)?.n ?? 0), headcount: null };
}

/** The households that have not read it, with what a 班長 needs to chase them, in 班 and number order. */
export function unreadHouseholds(db: Db, circularId: string, scope: { blockId?: string; blockIds?: string[] }) {
  return db
    .selectFrom('circular_recipients as r')
    .innerJoin('households as h', 'h.id', 'r.household_id')
    .innerJoin('blocks as b', 'b.id', 'r.block_id')
    .select(['h.id', 'h.household_number', 'h.name', 'h.address', 'h.channels', 'h.responder_notes', 'b.id as block_id', 'b.name as block_name'])
    .where('r.circular_id', '=', circularId)
    .where('r.acknowledged_at', 'is', null)
    .$if(!!scope.blockId, (q) => q.where('r.block_id', '=', scope.blockId!))
    .$if(!!scope.blockIds, (q) => q.where(isAnyOf('r.block_id', scope.blockIds!)))
    .orderBy('b.sort_order')
    .orderBy('h.household_number')
    .execute();
}

/** Which of these households are recipients (of these 班, when given), with their read state. */
export function recipientsAmong(db: Db, circularId: string, householdIds: string[], blockIds: string[] | undefined) {
  return db
    .selectFrom('circular_recipients')
    .select(['household_id', 'acknowledged_at'])
    .where('circular_id', '=', circularId)
    .where(isAnyOf('household_id', householdIds))
    .$if(!!blockIds, (q) => q.where(isAnyOf('block_id', blockIds!)))
    .execute();
}

/**
 * A household that needs a printed copy: it chose paper, or none of its members can read
 * the circular in the app (common/reachability.repository.ts: a login or a push subscription).
 * Its current channels count, so a home that switched to paper after publishing still gets one.
 */
function needsPaper(eb: ExpressionBuilder<Database, 'households'>) {
  return eb.or([sql<boolean>`'paper' = any(households.channels)`, eb.not(hasAppReader(eb))]);
}

/** A member living in the home can read it in the app (family living elsewhere cannot hand it to them). */
function hasAppReader(eb: ExpressionBuilder<Database, 'households'>) {
  return eb.exists(
    eb.selectFrom('people').select(sql`1`.as('one')).whereRef('people.household_id', '=', 'households.id').where('people.lives_elsewhere', '=', false).where(canBeReached),
  );
}

/** The recipients needing a printed copy (`blockIds`: only these 班), in 班 and number order. */
function paperCopyRecipients(db: Db, circularId: string, blockIds: string[] | undefined) {
  return recipientsInScope(db, circularId, blockIds).innerJoin('households', 'households.id', 'circular_recipients.household_id').where(needsPaper);
}

/** The homes a 班長 brings a printed copy to, for the print sheet: who, why, and whether they signed. */
export function paperCopyHouseholds(db: Db, circularId: string, blockIds: string[] | undefined) {
  return paperCopyRecipients(db, circularId, blockIds)
    .innerJoin('blocks', 'blocks.id', 'circular_recipients.block_id')
    .select(['households.id', 'households.household_number', 'households.name', 'households.channels', 'circular_recipients.block_id', 'circular_recipients.acknowledged_at'])
    .select((eb) => hasAppReader(eb).as('in_app'))
    .orderBy('blocks.sort_order')
    .orderBy('households.household_number')
    .execute();
}

/** How many printed copies each 班 needs. */
export function paperCopyCounts(db: Db, circularId: string, blockIds: string[] | undefined) {
  return paperCopyRecipients(db, circularId, blockIds)
    .select(['circular_recipients.block_id', sql<number>`count(*)::int`.as('n')])
    .groupBy('circular_recipients.block_id')
    .execute();
}

/** Which of these households need a printed copy (the speaker tells them the 班長 brings one). */
export async function needingPaperAmong(db: Db, householdIds: readonly string[]): Promise<Set<string>> {
  if (!householdIds.length) return new Set();
  const rows = await db.selectFrom('households').select('id').where(isAnyOf('households.id', householdIds)).where(needsPaper).execute();
  return new Set(rows.map((r) => r.id));
}

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
/** For the committed SQL snapshot (server/sql/, platform/db/sql-snapshot.ts). */
export const sqlExamples: SqlExample[] = [
  { name: 'insertRecipients — some 班 (the whole association: without the 班 clause)', run: (db) => insertRecipients(db, { id: ID, association_id: OTHER, target_block_ids: [OTHER] }) },
  { name: 'recipientOf', run: (db) => recipientOf(db, ID, OTHER) },
  { name: 'recipientsOf', run: (db) => recipientsOf(db, ID) },
  { name: 'reachesAny', run: (db) => reachesAny(db, ID, { householdIds: [OTHER], blockIds: [] }) },
  { name: 'progressCounts — a captain’s 班 (officers: without the 班 clause)', run: (db) => progressCounts(db, [ID], [OTHER]) },
  { name: 'readStateOf', run: (db) => readStateOf(db, OTHER, [ID]) },
  { name: 'recipientPage — a reminder after a cursor (delivery: every recipient, from the first)', run: (db) => recipientPage(db, ID, { after: OTHER, limit: 250, unreadOnly: true }) },
  { name: 'countReminder', run: (db) => countReminder(db, ID, [OTHER]) },
  { name: 'acknowledgeFirst', run: (db) => acknowledgeFirst(db, { circularId: ID, householdIds: [OTHER], personId: null, channel: 'speaker' }) },
  { name: 'saveAnswer', run: (db) => db.transaction().execute((trx) => saveAnswer(trx, { circularId: ID, householdId: OTHER, personId: OTHER, answer: { type: 'yes_no', yes: true } })) },
  { name: 'progressByBlock', run: (db) => progressByBlock(db, ID, [OTHER]) },
  { name: 'acknowledgementsByChannel', run: (db) => acknowledgementsByChannel(db, ID, undefined) },
  { name: 'answerTally — attendance', run: (db) => answerTally(db, ID, undefined, { type: 'attendance', prompt: '参加', maxHeadcount: 10 }) },
  { name: 'answerTally — multiple choice', run: (db) => answerTally(db, ID, [OTHER], { type: 'multiple', prompt: '日程', options: ['土', '日'] }) },
  { name: 'unreadHouseholds', run: (db) => unreadHouseholds(db, ID, { blockId: OTHER, blockIds: [OTHER] }) },
  { name: 'recipientsAmong', run: (db) => recipientsAmong(db, ID, [OTHER], [OTHER]) },
  { name: 'paperCopyHouseholds — a 班 (officers over every 班: without the 班 clause)', run: (db) => paperCopyHouseholds(db, ID, [OTHER]) },
  { name: 'paperCopyCounts', run: (db) => paperCopyCounts(db, ID, undefined) },
  { name: 'needingPaperAmong', run: (db) => needingPaperAmong(db, [OTHER]) },
];
