import type { Actor } from '../../../server/src/common/access.js';
import type { Db } from '../../../server/src/platform/db/database.js';
import type { AlertKind, AlertTier } from '../../../server/src/watch/watch.tables.js';
import { insertAlert } from '../../../server/src/watch/alert.repository.js';
import { insertDefaultSettings, updateSettings } from '../../../server/src/watch/watch.repository.js';
import type { SeededAssociation } from '../fixtures.js';

/** Watch rows for service-tier tests, inserted through the watch repositories. */

/** The actors of a seeded association, as a session would load them (auth.service, loadActorBySessionId). */
export function watchActors(x: SeededAssociation) {
  const base = { sessionId: 'service-test', associationId: x.association.id, officer: false, captainOf: [], volunteer: false, welfareCommissioner: false, watcherOf: [], householdId: null };
  return {
    officer: { ...base, personId: x.people.officer.id, officer: true },
    captain1: { ...base, personId: x.people.captain1.id, captainOf: [x.blocks.block1.id], householdId: x.households.C.id },
    captain2: { ...base, personId: x.people.captain2.id, captainOf: [x.blocks.block2.id], householdId: x.households.D.id },
    memberA: { ...base, personId: x.people.memberA.id, householdId: x.households.A.id },
    memberB: { ...base, personId: x.people.memberB.id, householdId: x.households.B.id },
    volunteer: { ...base, personId: x.people.volunteer.id, volunteer: true },
    watcherA: { ...base, personId: x.people.watcherA.id, watcherOf: [x.households.A.id] },
  } satisfies Record<string, Actor>;
}

/** A watched home at the default rules, with any of them changed. */
export async function watchedHome(db: Db, home: { id: string }, associationId: string, rules: Parameters<typeof updateSettings>[2] = {}) {
  await insertDefaultSettings(db, home.id, associationId);
  if (Object.keys(rules).length) await updateSettings(db, home.id, rules);
}

/** A home silent for a day and due its check now. */
export async function silentHome(db: Db, home: { id: string }, associationId: string, rules: Parameters<typeof updateSettings>[2] = {}) {
  await watchedHome(db, home, associationId, { last_activity_at: new Date(Date.now() - 25 * 3600_000), next_check_at: new Date(Date.now() - 60_000), ...rules });
}

/**
 * A live speaker in a home, heard from a minute ago. The devices capability registers speakers
 * with credentials (device.service); the watch only needs the row, so it is inserted as is.
 */
export async function speakerIn(db: Db, home: { id: string }, associationId: string) {
  return db
    .insertInto('devices')
    .values({ association_id: associationId, household_id: home.id, label: 'スピーカー', secret_hash: 'not-a-login', credentials_issued_at: new Date(), online: true, last_seen_at: new Date(Date.now() - 60_000) })
    .returning(['id', 'association_id'])
    .executeTakeFirstOrThrow();
}

/** A live alert of a home. */
export async function liveAlert(db: Db, home: { id: string }, associationId: string, kind: AlertKind = 'silent', tier: AlertTier = 'resident') {
  const alert = await insertAlert(db, { association_id: associationId, household_id: home.id, kind, tier });
  return alert!.id;
}
