import { randomBytes } from 'node:crypto';
import type { Db } from '../../server/src/platform/db/database.js';
import { hashPassword } from '../../server/src/auth/password.js';
import type { AssignedRole, Channel } from '../../server/src/roster/roster.tables.js';

export const PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | undefined;

/**
 * An association with two 班 and four households, inserted through the real tables:
 * an officer, a captain of each 班, a member login in households A (班1) and B (班2),
 * a volunteer and a family watcher of household A. Logins are unique per call.
 */
export async function seedAssociation(db: Db, label = randomBytes(3).toString('hex')) {
  passwordHash ??= hashPassword(PASSWORD);
  const hash = await passwordHash;
  const association = await db
    .insertInto('associations')
    .values({ name: `テスト自治会 ${label}`, slug: `test-${label}-${randomBytes(3).toString('hex')}` })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
  const [block1, block2] = await db
    .insertInto('blocks')
    .values([
      { association_id: association.id, name: '1班', sort_order: 1 },
      { association_id: association.id, name: '2班', sort_order: 2 },
    ])
    .returning(['id', 'name'])
    .execute();
  const household = (number: string, name: string, blockId: string, channels: Channel[] = ['app']) => ({
    association_id: association.id, block_id: blockId, household_number: number, name, address: `京田辺市 ${number}`, channels,
  });
  const [householdA, householdB, householdC, householdD] = await db
    .insertInto('households')
    .values([
      household('101', '山田家', block1!.id),
      household('102', '佐藤家', block2!.id),
      household('103', '鈴木家', block1!.id, ['speaker', 'paper']),
      household('104', '高橋家', block2!.id, ['paper']),
    ])
    .returning(['id', 'name', 'block_id', 'household_number'])
    .execute();
  const login = (role: string) => `${role}-${label}@example.jp`;
  const person = (name: string, role: string | null, householdId: string | null) => ({
    association_id: association.id, household_id: householdId, name, email: role ? login(role) : null, password_hash: role ? hash : null,
  });
  const [officer, captain1, captain2, memberA, memberB, volunteer, watcherA] = await db
    .insertInto('people')
    .values([
      person('役員 一郎', 'officer', null),
      person('班長 一', 'captain1', householdC!.id),
      person('班長 二', 'captain2', householdD!.id),
      person('山田 花子', 'member-a', householdA!.id),
      person('佐藤 太郎', 'member-b', householdB!.id),
      person('見守り 恵子', 'volunteer', null),
      person('山田 次郎', 'watcher-a', null),
    ])
    .returning(['id', 'name', 'email'])
    .execute();
  const role = (personId: string, r: AssignedRole, extra: { block_id?: string; household_id?: string } = {}) => ({
    association_id: association.id, person_id: personId, role: r, ...extra,
  });
  await db
    .insertInto('role_assignments')
    .values([
      role(officer!.id, 'officer'),
      role(captain1!.id, 'captain', { block_id: block1!.id }),
      role(captain2!.id, 'captain', { block_id: block2!.id }),
      role(volunteer!.id, 'volunteer'),
      role(watcherA!.id, 'family_watcher', { household_id: householdA!.id }),
    ])
    .execute();
  return {
    association,
    blocks: { block1: block1!, block2: block2! },
    households: { A: householdA!, B: householdB!, C: householdC!, D: householdD! },
    people: { officer: officer!, captain1: captain1!, captain2: captain2!, memberA: memberA!, memberB: memberB!, volunteer: volunteer!, watcherA: watcherA! },
    logins: {
      officer: login('officer'), captain1: login('captain1'), captain2: login('captain2'), memberA: login('member-a'),
      memberB: login('member-b'), volunteer: login('volunteer'), watcherA: login('watcher-a'),
    },
  };
}

export type SeededAssociation = Awaited<ReturnType<typeof seedAssociation>>;
