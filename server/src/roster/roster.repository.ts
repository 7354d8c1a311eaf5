import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import type { HouseholdScope } from '../common/access.js';
import { heldToday } from '../common/people.repository.js';

/** Restricts a households query to what the scope allows. */
function inScope(scope: HouseholdScope) {
  return (eb: ExpressionBuilder<Database, 'households'>) => {
    const sameAssociation = eb('households.association_id', '=', scope.associationId);
    if (scope.kind === 'association') return sameAssociation;
    const own = scope.householdIds.length ? [eb('households.id', 'in', scope.householdIds)] : [];
    if (scope.kind === 'blocks') return eb.and([sameAssociation, eb.or([eb('households.block_id', 'in', scope.blockIds), ...own])]);
    return own.length ? eb.and([sameAssociation, ...own]) : eb.val(false);
  };
}

const householdColumns = [
  'households.id',
  'households.association_id',
  'households.household_number',
  'households.name',
  'households.address',
  'households.block_id',
  'blocks.name as block_name',
  'households.channels',
  'households.responder_notes',
] as const;

export async function listHouseholds(
  db: Db,
  scope: HouseholdScope,
  filter: { blockId?: string; q?: string; limit: number; offset: number },
) {
  const base = db
    .selectFrom('households')
    .innerJoin('blocks', 'blocks.id', 'households.block_id')
    .where(inScope(scope))
    .$if(filter.blockId !== undefined, (q) => q.where('households.block_id', '=', filter.blockId!))
    .$if(!!filter.q, (q) => {
      const like = `%${filter.q!.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return q.where((eb) =>
        eb.or([
          eb('households.name', 'ilike', like),
          eb('households.address', 'ilike', like),
          eb('households.household_number', 'ilike', like),
          eb.exists(
            eb
              .selectFrom('people')
              .whereRef('people.household_id', '=', 'households.id')
              .where((p) => p.or([p('people.name', 'ilike', like), p('people.kana', 'ilike', like)]))
              .select(sql`1`.as('one')),
          ),
        ]),
      );
    });
  const [items, total] = await Promise.all([
    base
      .select(householdColumns)
      .select((eb) =>
        eb.selectFrom('people').whereRef('people.household_id', '=', 'households.id').select(eb.fn.countAll<number>().as('n')).as('member_count'),
      )
      .orderBy('blocks.sort_order')
      .orderBy('blocks.name')
      .orderBy('households.household_number')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

export function findHousehold(db: Db, id: string) {
  return db
    .selectFrom('households')
    .innerJoin('blocks', 'blocks.id', 'households.block_id')
    .select(householdColumns)
    .where('households.id', '=', id)
    .executeTakeFirst();
}

export async function findPeople(db: Db, where: { associationId: string; householdId?: string; personIds?: string[]; q?: string; withoutHousehold?: boolean }) {
  const people = await db
    .selectFrom('people')
    .select(['id', 'name', 'kana', 'phone', 'email', 'preferred_language', 'household_id', 'password_hash'])
    .select((eb) =>
      eb
        .selectFrom('role_assignments')
        .whereRef('role_assignments.person_id', '=', 'people.id')
        .where(heldToday)
        .select(sql<string[]>`coalesce(array_agg(distinct role), '{}')`.as('roles'))
        .as('roles'),
    )
    .where('association_id', '=', where.associationId)
    .$if(where.householdId !== undefined, (q) => q.where('household_id', '=', where.householdId!))
    .$if(where.personIds !== undefined, (q) => q.where('id', 'in', where.personIds!.length ? where.personIds! : ['00000000-0000-0000-0000-000000000000']))
    .$if(where.withoutHousehold === true, (q) => q.where('household_id', 'is', null))
    .$if(!!where.q, (q) => {
      const like = `%${where.q!.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return q.where((eb) => eb.or([eb('name', 'ilike', like), eb('kana', 'ilike', like), eb('phone', 'ilike', like), eb('email', 'ilike', like)]));
    })
    .orderBy('kana')
    .orderBy('name')
    .limit(500)
    .execute();
  return people.map((p) => ({
    id: p.id,
    name: p.name,
    kana: p.kana,
    phone: p.phone,
    email: p.email,
    preferredLanguage: p.preferred_language,
    hasAccount: p.password_hash !== null,
    householdId: p.household_id,
    roles: [...(p.roles ?? []), ...(p.household_id ? ['member'] : [])],
  }));
}

export async function listBlocks(db: Db, associationId: string, onlyIds?: string[]) {
  const blocks = await db
    .selectFrom('blocks')
    .select(['blocks.id', 'blocks.name', 'blocks.sort_order'])
    .select((eb) =>
      eb.selectFrom('households').whereRef('households.block_id', '=', 'blocks.id').select(eb.fn.countAll<number>().as('n')).as('household_count'),
    )
    .where('blocks.association_id', '=', associationId)
    .$if(onlyIds !== undefined, (q) => q.where('blocks.id', 'in', onlyIds!.length ? onlyIds! : ['00000000-0000-0000-0000-000000000000']))
    .orderBy('blocks.sort_order')
    .orderBy('blocks.name')
    .execute();
  const captains = blocks.length
    ? await db
        .selectFrom('role_assignments')
        .innerJoin('people', 'people.id', 'role_assignments.person_id')
        .select(['role_assignments.block_id', 'people.id', 'people.name'])
        .where('role_assignments.role', '=', 'captain')
        .where('role_assignments.block_id', 'in', blocks.map((b) => b.id))
        .where(heldToday)
        .execute()
    : [];
  return blocks.map((b) => ({
    id: b.id,
    name: b.name,
    sortOrder: b.sort_order,
    householdCount: Number(b.household_count ?? 0),
    captains: captains.filter((c) => c.block_id === b.id).map((c) => ({ personId: c.id, name: c.name })),
  }));
}

export function findBlock(db: Db, id: string) {
  return db.selectFrom('blocks').select(['id', 'association_id', 'name']).where('id', '=', id).executeTakeFirst();
}

