import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { until as waitUntil } from './support/wait.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation } from './support/fixtures.js';
import { SimulatedDevice, type Scenario } from '../devices/src/simulated-device.js';
import { SimulatedTime, seededRandom } from '../devices/src/simulator-patterns.js';
import { connectMqtt } from '../devices/src/simulator-mqtt.js';

/**
 * Simulated speakers (real MQTT clients) in six homes: four residents who answer, one who
 * has gone silent, and one device that dies. When the homes are due for their check, the
 * right alerts are raised, and only those.
 */
let database: TestDatabase;
let server: TestServer;
const simulated: SimulatedDevice[] = [];

afterAll(async () => {
  await Promise.all(simulated.map((d) => d.stop().catch(() => undefined)));
  await server?.close();
  await database?.drop();
});


const until = <T,>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000) => waitUntil(read, done, timeoutMs);

describe('simulated speakers', () => {
  it('a silent resident raises a silent-home alert, a dead device a device-offline alert, and the others nothing', async () => {
    database = await createTestDatabase();
    server = await startTestServer(database);
    const x = await seedAssociation(database.db);
    const extra = await database.db
      .insertInto('households')
      .values(['105', '106'].map((n) => ({ association_id: x.association.id, block_id: x.blocks.block1.id, household_number: n, name: `${n}家`, address: `京田辺市 ${n}` })))
      .returning('id')
      .execute();
    const homes = [x.households.A.id, x.households.B.id, x.households.C.id, x.households.D.id, extra[0]!.id, extra[1]!.id];
    const scenarios: Scenario[] = ['normal', 'normal', 'normal', 'normal', 'silent', 'dead'];
    const officer = new ApiClient(server.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const time = new SimulatedTime(Date.now(), 600);
    const devices: { id: string; home: string; scenario: Scenario }[] = [];
    for (const [i, home] of homes.entries()) {
      const { credentials, device } = (await officer.post('/api/devices', { label: `sim ${i}`, householdId: home })).body;
      const sim = new SimulatedDevice({
        deviceId: device.id, associationId: x.association.id, password: credentials.password, mqttUrl: server.deviceMqttUrl,
        scenario: scenarios[i]!, time, connect: connectMqtt, clock: { now: () => new Date() }, random: seededRandom(i + 1),
      });
      sim.start();
      simulated.push(sim);
      devices.push({ id: device.id, home, scenario: scenarios[i]! });
    }
    const dead = devices.find((d) => d.scenario === 'dead')!;
    const silent = devices.find((d) => d.scenario === 'silent')!;
    await until(async () => simulated.map((s) => s.state), (states) => states.filter((s) => s === 'online').length === 5 && states.includes('dead'));
    await until(() => database.db.selectFrom('devices').select('online').where('id', '=', dead.id).executeTakeFirstOrThrow(), (d) => !d.online);

    // A day goes by: every home is due for its check; the dead device was last heard ten minutes ago.
    await database.db.updateTable('watch_settings').set({ next_check_at: sql`now() - interval '1 minute'` }).where('household_id', 'in', homes).execute();
    await database.db.updateTable('devices').set({ last_seen_at: sql`now() - interval '10 minutes'` }).where('id', '=', dead.id).execute();
    await server.app.jobs.sendDetached('tick', 'watch-scan', {});

    const live = async () =>
      (await officer.get('/api/watch/alerts')).body.items.map((a: { kind: string; household: { id: string }; tier: string }) => `${a.kind}:${a.household.id}`).sort();
    const expected = [`device_offline:${dead.home}`, `silent:${silent.home}`].sort();
    expect(await until(live, (alerts) => JSON.stringify(alerts) === JSON.stringify(expected))).toEqual(expected);
    // The residents who answered closed their own checks.
    const closed = await officer.get('/api/watch/alerts?status=closed');
    const answered = closed.body.items.filter((a: { kind: string }) => a.kind === 'silent');
    expect(answered.length).toBeGreaterThan(0);
    for (const a of answered) expect(['fine']).toContain(a.outcome);
  }, 60_000);
});
