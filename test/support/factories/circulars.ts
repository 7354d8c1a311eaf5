import type { Insertable } from 'kysely';
import type { Actor } from '../../../server/src/common/access.js';
import type { Db } from '../../../server/src/platform/db/database.js';
import type { CircularTable } from '../../../server/src/circulars/circular.tables.js';
import { findCircular, insertCircular } from '../../../server/src/circulars/circular.repository.js';
import { insertRecipients } from '../../../server/src/circulars/recipient.repository.js';
import type { SeededAssociation } from '../fixtures.js';

/**
 * Circulars for service-tier tests, inserted through the capability's own repositories (what
 * publishing writes, without going through publishing), and the actors of a seeded association.
 */

type Who = 'officer' | 'captain1' | 'captain2' | 'memberA' | 'memberB' | 'volunteer' | 'watcherA';

/** The actor a session of this person of the seeded association would have (roles as seeded). */
export function actorOf(x: SeededAssociation, who: Who): Actor {
  const { people, households, blocks } = x;
  const base = { sessionId: `test-${who}`, personId: people[who].id, associationId: x.association.id, officer: false, captainOf: [] as string[], volunteer: false, welfareCommissioner: false, watcherOf: [] as string[], householdId: null as string | null };
  switch (who) {
    case 'officer': return { ...base, officer: true };
    case 'captain1': return { ...base, captainOf: [blocks.block1.id], householdId: households.C.id };
    case 'captain2': return { ...base, captainOf: [blocks.block2.id], householdId: households.D.id };
    case 'memberA': return { ...base, householdId: households.A.id };
    case 'memberB': return { ...base, householdId: households.B.id };
    case 'volunteer': return { ...base, volunteer: true };
    case 'watcherA': return { ...base, watcherOf: [households.A.id] };
  }
}

/** A draft circular of the association (the whole association unless `target_block_ids` says otherwise). */
export async function insertDraftCircular(db: Db, x: SeededAssociation, values: Partial<Insertable<CircularTable>> = {}) {
  const { id } = await insertCircular(db, { association_id: x.association.id, created_by: x.people.officer.id, title: 'テストの回覧', category: 'notice', ...values });
  return (await findCircular(db, id))!;
}

/** A published circular with its recipient rows, as publishing leaves it (without its jobs). */
export async function insertPublishedCircular(db: Db, x: SeededAssociation, values: Partial<Insertable<CircularTable>> = {}) {
  const circular = await insertDraftCircular(db, x, { status: 'published', published_at: new Date(), ...values });
  const recipients = (await insertRecipients(db, circular)).length;
  return { ...circular, recipients };
}
