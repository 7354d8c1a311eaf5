import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { seedAssociation } from './support/fixtures.js';
import { makeDue } from './support/jobs.js';
import { loggedInClient, stopSuite } from './support/suite.js';

/** An escalation waiting when its server stops is neither lost nor repeated by two new instances. */
let database: TestDatabase;
const servers: TestServer[] = [];
afterAll(() => stopSuite({ servers, database }));

describe('a silent-home alert across a restart', () => {
  it('escalates exactly once per tier when two instances take over', async () => {
    database = await createTestDatabase();
    const x = await seedAssociation(database.db);
    const first = await startTestServer(database);
    servers.push(first);
    const officer = await loggedInClient(first, x.logins.officer);
    await officer.post('/api/devices', { label: 'スピーカー', householdId: x.households.A.id });
    await database.db.updateTable('watch_settings').set({ next_check_at: sql`now() - interval '1 minute'` }).where('household_id', '=', x.households.A.id).execute();
    await first.app.jobs.sendDetached('tick', 'watch-scan', {});
    const deadline = Date.now() + 10_000;
    while (!(await database.db.selectFrom('watch_alerts').select('id').executeTakeFirst()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const alert = await database.db.selectFrom('watch_alerts').select(['id', 'tier']).executeTakeFirstOrThrow();
    expect(alert.tier).toBe('resident');
    await first.close();

    servers.push(await startTestServer(database), await startTestServer(database));
    await makeDue(database.db, 'watch-escalate');
    const escalated = async () =>
      (await database.db.selectFrom('watch_alert_events').select(['what', 'tier']).where('alert_id', '=', alert.id).where('what', '=', 'escalated').execute()).map((e) => e.tier);
    const end = Date.now() + 10_000;
    while ((await escalated()).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2_000)); // room for a duplicate, were there one
    expect(await escalated()).toEqual(['family_captain']);
    const next = await sql<{ state: string }>`select state from pgboss.job where name = 'watch-escalate' and data->>'tier' = 'volunteers'`.execute(database.db);
    expect(next.rows.map((r) => r.state)).toEqual(['created']);
  }, 60_000);
});
