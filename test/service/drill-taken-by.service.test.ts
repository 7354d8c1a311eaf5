import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from '../support/database.js';
import type { TestServer } from '../support/server.js';
import type { SeededAssociation } from '../support/fixtures.js';
import type { Actor } from '../../server/src/common/access.js';
import { startDrill, type DrillContext } from '../../server/src/drills/drill.service.js';
import { startSuite, stopSuite } from '../support/suite.js';

/**
 * Who took a drill target is checked by a row trigger that fires only when a person is named, not
 * by a foreign key (migrations/20261208T0300): it must refuse and clear exactly as the key did.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;

beforeAll(async () => ({ database, server, x } = await startSuite({ label: 'tb' })));
afterAll(() => stopSuite({ server, database }));

const ctx = (): DrillContext => server.app.context;
const officer = (): Actor => ({
  sessionId: 'taken-by-test', personId: x.people.officer.id, associationId: x.association.id, officer: true, captainOf: [], volunteer: false,
  welfareCommissioner: false, watcherOf: [], householdId: null,
});

describe("a drill target's taker", () => {
  it('must exist (insert or update), and a deleted taker is cleared from the targets they took, as ON DELETE SET NULL did', async () => {
    const drill = await startDrill(ctx(), officer(), {
      kind: 'drill', title: '担当', message: '', targetBlockIds: null, announced: false, deadlineAt: new Date(Date.now() + 600_000).toISOString(),
      volunteersAfterSeconds: 900, officersAfterSeconds: 1800,
    });
    const targets = await sql<{ household_id: string; block_id: string }>`select household_id, block_id from drill_targets where drill_id = ${drill.id} order by household_id`.execute(database.db);
    const [first, second] = targets.rows;
    const nobody = '00000000-0000-4000-8000-000000000000';
    await expect(sql`update drill_targets set taken_by = ${nobody} where drill_id = ${drill.id} and household_id = ${first!.household_id}`.execute(database.db)).rejects.toMatchObject({ code: '23503' });
    await sql`delete from drill_targets where drill_id = ${drill.id} and household_id = ${second!.household_id}`.execute(database.db);
    await expect(sql`insert into drill_targets (drill_id, household_id, association_id, block_id, channels, taken_by)
      values (${drill.id}, ${second!.household_id}, ${x.association.id}, ${second!.block_id}, '{app}', ${nobody})`.execute(database.db)).rejects.toMatchObject({ code: '23503' });

    // A helper takes a task (the officer's "I'm going"), then leaves the association: the task is free again.
    const helper = await database.db.insertInto('people').values({ association_id: x.association.id, name: '臨時の手伝い' }).returning('id').executeTakeFirstOrThrow();
    await sql`update drill_targets set taken_by = ${helper.id}, taken_at = now() where drill_id = ${drill.id} and household_id = ${first!.household_id}`.execute(database.db);
    await sql`update drill_targets set taken_by = ${x.people.officer.id}, taken_at = now() where drill_id = ${drill.id} and household_id = ${targets.rows[2]!.household_id}`.execute(database.db);
    await database.db.deleteFrom('people').where('id', '=', helper.id).execute();
    const taken = await sql<{ taken_by: string | null }>`select taken_by from drill_targets where drill_id = ${drill.id} and household_id = ${first!.household_id}`.execute(database.db);
    expect(taken.rows[0]!.taken_by).toBeNull();
    // Someone else's take is untouched.
    const still = await sql<{ taken_by: string | null }>`select taken_by from drill_targets where drill_id = ${drill.id} and household_id = ${targets.rows[2]!.household_id}`.execute(database.db);
    expect(still.rows[0]!.taken_by).toBe(x.people.officer.id);
  });
});
