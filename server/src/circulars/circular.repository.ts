import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';

export function findCircular(db: Db, id: string) {
  return db.selectFrom('circulars').selectAll().where('id', '=', id).executeTakeFirst();
}
export type CircularRow = NonNullable<Awaited<ReturnType<typeof findCircular>>>;

/**
 * Writes one recipient row per household in scope, in one statement: publishing to 2,000
 * households is one INSERT … SELECT, not 2,000 round trips. Households added later do not
 * receive it; the recipients are who was in scope when it was published.
 */
export async function insertRecipients(db: Db, circular: { id: string; association_id: string; target_block_ids: string[] | null }) {
  const result = await db
    .insertInto('circular_recipients')
    .columns(['circular_id', 'household_id', 'association_id', 'block_id', 'channels'])
    .expression((eb) =>
      eb
        .selectFrom('households')
        .select([eb.val(circular.id).as('circular_id'), 'id', 'association_id', 'block_id', 'channels'])
        .where('association_id', '=', circular.association_id)
        .$if(circular.target_block_ids !== null, (q) => q.where('block_id', '=', sql<string>`any(${circular.target_block_ids}::uuid[])`)),
    )
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

export function recipientOf(db: Db, circularId: string, householdId: string) {
  return db.selectFrom('circular_recipients').selectAll().where('circular_id', '=', circularId).where('household_id', '=', householdId).executeTakeFirst();
}

/** Read-rate counts for many circulars at once, from the recipients' index. */
export async function progressCounts(db: Db, circularIds: string[], blockIds?: string[]) {
  if (!circularIds.length) return new Map<string, { total: number; acknowledged: number }>();
  const rows = await db
    .selectFrom('circular_recipients')
    .select(['circular_id', sql<number>`count(*)::int`.as('total'), sql<number>`count(acknowledged_at)::int`.as('acknowledged')])
    .where('circular_id', 'in', circularIds)
    .$if(blockIds !== undefined, (q) => q.where('block_id', 'in', blockIds!.length ? blockIds! : ['00000000-0000-0000-0000-000000000000']))
    .groupBy('circular_id')
    .execute();
  return new Map(rows.map((r) => [r.circular_id, { total: r.total, acknowledged: r.acknowledged }]));
}

