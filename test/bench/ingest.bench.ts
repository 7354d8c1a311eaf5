import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { MqttClient } from 'mqtt';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { connectDevice, startTestServer, type TestServer } from '../support/server.js';
import { seedAssociation } from '../support/fixtures.js';
import { hashDeviceSecret } from '../../server/src/devices/device-credentials.js';
import { topics } from '../../devices/src/protocol.js';

/**
 * Device ingest throughput: DEVICES speakers (real MQTT connections) publish MESSAGES
 * heartbeats and activity events at QoS 1 as fast as they can; the clock stops when every
 * one is stored. Target (issue 4): 10,000 messages per second sustained on 2 cores.
 * BENCH_DEVICES and BENCH_MESSAGES change the size.
 */
const DEVICES = Number(process.env.BENCH_DEVICES ?? 500);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
let database: TestDatabase;
let server: TestServer;
const clients: MqttClient[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  await server?.close();
  await database?.drop();
});

describe('device ingest', () => {
  it(`stores ${MESSAGES} messages from ${DEVICES} devices`, async () => {
    database = await createTestDatabase();
    server = await startTestServer(database);
    const x = await seedAssociation(database.db, 'bench');
    const secret = 'bench-secret';
    const hash = hashDeviceSecret(secret);
    const households = await database.db
      .insertInto('households')
      .values(Array.from({ length: DEVICES }, (_, i) => ({ association_id: x.association.id, block_id: x.blocks.block1.id, household_number: `b${i}`, name: `世帯${i}`, address: '京田辺市', channels: ['speaker' as const] })))
      .returning('id')
      .execute();
    const devices = await database.db
      .insertInto('devices')
      .values(households.map((h, i) => ({ association_id: x.association.id, household_id: h.id, label: `bench ${i}`, secret_hash: hash, credentials_issued_at: new Date() })))
      .returning('id')
      .execute();
    for (let i = 0; i < devices.length; i += 50) {
      clients.push(...(await Promise.all(devices.slice(i, i + 50).map((d) => connectDevice(server.deviceMqttUrl, { username: d.id, password: secret })))));
    }
    const perDevice = Math.ceil(MESSAGES / DEVICES);
    const started = performance.now();
    await Promise.all(
      clients.map(async (client, i) => {
        const deviceId = devices[i]!.id;
        for (let seq = 1; seq <= perDevice; seq++) {
          const ts = new Date().toISOString();
          const heartbeat = seq % 4 !== 0;
          const payload = heartbeat
            ? { bootId: 'bench', seq, ts, uptimeSeconds: seq, power: 'mains', battery: null, signal: -55, firmware: 'bench' }
            : { bootId: 'bench', seq, ts, type: 'presence', count: 2 };
          await client.publishAsync(topics.uplink(x.association.id, deviceId, heartbeat ? 'heartbeat' : 'activity'), JSON.stringify(payload), { qos: 1 });
        }
      }),
    );
    const published = performance.now();
    const total = perDevice * DEVICES;
    for (;;) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from device_messages`.execute(database.db);
      if (rows[0]!.n >= total) break;
      if (performance.now() - started > 300_000) throw new Error(`only ${rows[0]!.n} of ${total} stored after 5 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stored = performance.now();
    const rate = Math.round(total / ((stored - started) / 1000));
    console.log(`ingest: ${total} messages from ${DEVICES} devices; published in ${Math.round(published - started)} ms, all stored in ${Math.round(stored - started)} ms: ${rate} messages/s (target 10000)`);
    expect(rate).toBeGreaterThan(0);
  });
});
