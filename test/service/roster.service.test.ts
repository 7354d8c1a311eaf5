import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import type { TestServer } from '../support/server.js';
import { makeAssociation, makeBlock, makeHousehold, makePerson } from '../support/factories/roster.js';
import { startSession, type LoadedActor } from '../../server/src/auth/session.service.js';
import { householdScope } from '../../server/src/roster/roster.policy.js';
import * as roster from '../../server/src/roster/roster.service.js';
import { HttpError } from '../../server/src/platform/http/errors.js';
import { startServerSuite, stopSuite } from '../support/suite.js';

/**
 * The roster's services called directly (no HTTP) on the app's own context: who sees which
 * households is decided by the service and its query, whichever door asks.
 */
let database: TestDatabase;
let server: TestServer;
const page = { limit: 50, offset: 0 };
let world: Awaited<ReturnType<typeof build>>;

async function build() {
  const { db } = server.app.context;
  const association = await makeAssociation(db);
  const block1 = await makeBlock(db, association.id, '1班');
  const block2 = await makeBlock(db, association.id, '2班');
  const households = {
    a: await makeHousehold(db, block1, { householdNumber: '101' }),
    b: await makeHousehold(db, block1, { householdNumber: '102' }),
    c: await makeHousehold(db, block2, { householdNumber: '201' }),
    d: await makeHousehold(db, block2, { householdNumber: '202' }),
  };
  const captain = await makePerson(db, association.id, { householdId: households.a.id, roles: [{ role: 'captain', blockId: block1.id }] });
  const officer = await makePerson(db, association.id, { roles: [{ role: 'officer' }] });
  const member = await makePerson(db, association.id, { householdId: households.c.id });
  // Another association's 班 and household, with the same numbers: never in anyone's scope here.
  const other = await makeAssociation(db);
  const otherBlock = await makeBlock(db, other.id, '1班');
  const otherHousehold = await makeHousehold(db, otherBlock, { householdNumber: '101' });
  return { association, block1, block2, households, captain, officer, member, otherHousehold };
}

/** The actor of a new session of this person, loaded as every door loads it. */
async function actorOf(person: { id: string; associationId: string }): Promise<LoadedActor> {
  const { db, realtime } = server.app.context;
  const session = await startSession({ db, realtime, sessionTtlHours: 1 }, person.id, person.associationId);
  return session.actor;
}

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
  world = await build();
});
afterAll(() => stopSuite({ server, database }));

describe('a 班長', () => {
  it("is scoped to their 班 (and their own household)", async () => {
    const actor = await actorOf(world.captain);
    expect(householdScope(actor)).toEqual({
      kind: 'blocks', associationId: world.association.id, blockIds: [world.block1.id], householdIds: [world.households.a.id],
    });
  });

  it("lists only their 班's households", async () => {
    const actor = await actorOf(world.captain);
    const { items, total } = await roster.getHouseholds(server.app.context.db, actor, page);
    expect(items.map((h) => h.householdNumber)).toEqual(['101', '102']);
    expect(total).toBe(2);
    expect(new Set(items.map((h) => h.blockId))).toEqual(new Set([world.block1.id]));
  });

  it('sees only their own 班 in the list of 班', async () => {
    const blocks = await roster.getBlocks(server.app.context.db, await actorOf(world.captain));
    expect(blocks.map((b) => b.id)).toEqual([world.block1.id]);
    expect(blocks[0]!.captains.map((c) => c.personId)).toEqual([world.captain.id]);
  });

  it("is told another 班's household does not exist (404), like another association's", async () => {
    const actor = await actorOf(world.captain);
    for (const id of [world.households.c.id, world.otherHousehold.id]) {
      const refused = await roster.getHousehold(server.app.context.db, actor, id).then(() => undefined, (error: unknown) => error);
      expect(refused).toBeInstanceOf(HttpError);
      expect((refused as HttpError).status).toBe(404);
    }
    expect((await roster.getHousehold(server.app.context.db, actor, world.households.b.id)).householdNumber).toBe('102');
  });
});

describe('other actors', () => {
  it('an officer lists every household of the association, and no other', async () => {
    const { items } = await roster.getHouseholds(server.app.context.db, await actorOf(world.officer), page);
    expect(items.map((h) => h.householdNumber)).toEqual(['101', '102', '201', '202']);
  });

  it('a member lists only their own household', async () => {
    const { items } = await roster.getHouseholds(server.app.context.db, await actorOf(world.member), page);
    expect(items.map((h) => h.id)).toEqual([world.households.c.id]);
  });

  it('an officer filters by 班', async () => {
    const { items } = await roster.getHouseholds(server.app.context.db, await actorOf(world.officer), { ...page, blockId: world.block2.id });
    expect(items.map((h) => h.householdNumber)).toEqual(['201', '202']);
  });
});
