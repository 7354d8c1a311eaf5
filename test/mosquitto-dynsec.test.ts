import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { MosquittoDynsec } from '../server/src/devices/mosquitto-dynsec.js';

/**
 * Runs against a real Mosquitto with the dynamic security plugin (deploy/mosquitto/), as
 * .ci/run starts it: MQTT_URL carries the dynsec admin user and password. Without such a
 * broker there is nothing meaningful to test (the embedded broker has no dynsec), so skip.
 */
const MQTT_URL = process.env.MQTT_URL;
const enabled = Boolean(MQTT_URL) && process.env.MQTT_DYNSEC === 'true';

const brokerUrl = (): string => {
  // Device connections use the same host and port as the admin, without its credentials.
  const url = new URL(MQTT_URL!);
  url.username = '';
  url.password = '';
  return url.toString();
};

const baseOptions = (): IClientOptions => ({
  protocolVersion: 5,
  reconnectPeriod: 0, // a refused CONNACK must surface as an error, not as endless retries
  connectTimeout: 5000,
  clientId: `tonari-test-${randomUUID()}`,
});

/** Device clients are bound to their id as client id, so that is the client id used. */
function connectAs(username: string, password: string, clientId = username): Promise<MqttClient> {
  return mqtt.connectAsync(brokerUrl(), { ...baseOptions(), clientId, username, password }, false);
}

/** Resolves with the CONNACK error code of a refused connection; fails the test if it connects. */
async function refusedCode(username: string, password: string): Promise<number | undefined> {
  try {
    const client = await connectAs(username, password);
    await client.endAsync();
  } catch (error) {
    return (error as { code?: number }).code;
  }
  throw new Error(`${username} was allowed to connect`);
}

// 4/5 are the MQTT 3.1.1 codes, 0x86 (bad user name or password) / 0x87 (not authorised) the MQTT 5 ones.
const REFUSED = [4, 5, 0x86, 0x87];

function collect(client: MqttClient): Array<{ topic: string; payload: string }> {
  const received: Array<{ topic: string; payload: string }> = [];
  client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  return received;
}

/** mqtt.js rejects a refused MQTT 5 subscription; MQTT 3.1.1 grants QoS 128 instead. */
async function subscribeRefused(client: MqttClient, filter: string): Promise<boolean> {
  try {
    const granted = await client.subscribeAsync(filter, { qos: 1 });
    return granted.every((grant) => grant.qos >= 0x80);
  } catch (error) {
    return /not authori[sz]ed/i.test(String(error));
  }
}

async function waitFor(predicate: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return predicate();
}

/** One dynsec command outside the class under test, for setting the scene. */
async function rawCommand(client: MqttClient, command: Record<string, unknown>): Promise<unknown> {
  const correlationData = randomUUID();
  const reply = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${String(command.command)}`)), 5000);
    const onMessage = (topic: string, payload: Buffer) => {
      if (topic !== '$CONTROL/dynamic-security/v1/response') return;
      const responses = (JSON.parse(payload.toString()) as { responses: Array<Record<string, unknown>> }).responses;
      const response = responses.find((r) => r.correlationData === correlationData);
      if (!response) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      if (response.error) reject(new Error(String(response.error)));
      else resolve(response.data);
    };
    client.on('message', onMessage);
  });
  await client.subscribeAsync('$CONTROL/dynamic-security/v1/response');
  await client.publishAsync('$CONTROL/dynamic-security/v1', JSON.stringify({ commands: [{ ...command, correlationData }] }));
  return reply;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!enabled)('MosquittoDynsec against a real Mosquitto', () => {
  const associationId = randomUUID();
  const deviceA = { id: randomUUID(), associationId, password: randomBytes(18).toString('base64url') };
  const deviceB = { id: randomUUID(), associationId, password: randomBytes(18).toString('base64url') };
  const shareGroup = `tonari-test-${randomBytes(4).toString('hex')}`;
  let admin: MqttClient;
  let dynsec: MosquittoDynsec;
  let uplinks: Array<{ topic: string; payload: string }>;
  const open: MqttClient[] = [];

  const upTopic = (device: { id: string }, kind = 'heartbeat') => `tonari/${associationId}/${device.id}/up/${kind}`;
  const downTopic = (device: { id: string }, kind = 'config') => `tonari/${associationId}/${device.id}/down/${kind}`;

  beforeAll(async () => {
    // The admin reconnects by itself, as the server's client does: when ensureServerAccess
    // has to give it the tonari-server role, Mosquitto drops the connection to apply it.
    // A persistent session, so uplinks are queued rather than lost should another test
    // file's server (same admin user) get the role first and Mosquitto drop us too.
    admin = await mqtt.connectAsync(
      MQTT_URL!,
      { ...baseOptions(), clean: false, properties: { sessionExpiryInterval: 300 }, reconnectPeriod: 300 },
      false,
    );
    dynsec = new MosquittoDynsec(admin, { timeoutMs: 5000 });
    const adminUser = decodeURIComponent(new URL(MQTT_URL!).username);
    // Twice: the second run must find everything in place and not fail.
    await dynsec.ensureServerAccess(adminUser);
    await dynsec.ensureServerAccess(adminUser);
    uplinks = collect(admin);
    const granted = await admin.subscribeAsync(`$share/${shareGroup}/tonari/+/+/up/#`, { qos: 1 });
    expect(granted.map((grant) => grant.qos)).toEqual([1]);
  });

  afterAll(async () => {
    await Promise.allSettled(open.map((client) => client.endAsync(true)));
    if (dynsec) {
      await Promise.allSettled([dynsec.revokeDevice(deviceA.id), dynsec.revokeDevice(deviceB.id)]);
      dynsec.dispose();
    }
    await admin?.endAsync();
  });

  it('provisions devices idempotently and lets a device publish to its own up/ topic', async () => {
    await dynsec.upsertDevice(deviceA);
    await dynsec.upsertDevice(deviceA);
    await dynsec.upsertDevice(deviceB);

    const client = await connectAs(deviceA.id, deviceA.password);
    open.push(client);
    await client.publishAsync(upTopic(deviceA), '{"hello":"a"}', { qos: 1 });
    expect(await waitFor(() => uplinks.some((m) => m.topic === upTopic(deviceA)))).toBe(true);
    await client.endAsync();
  });

  it("binds a device to its own client id: another device's id is refused and does not disconnect it", async () => {
    // A client provisioned before the binding existed gets it on the next upsert.
    await rawCommand(admin, { command: 'deleteClient', username: deviceB.id }).catch(() => undefined);
    await rawCommand(admin, { command: 'createClient', username: deviceB.id, password: deviceB.password });
    await dynsec.upsertDevice(deviceB);
    await dynsec.upsertDevice(deviceA);
    const victim = await connectAs(deviceA.id, deviceA.password);
    open.push(victim);
    let dropped = false;
    victim.on('close', () => (dropped = true));
    await expect(connectAs(deviceB.id, deviceB.password, deviceA.id)).rejects.toThrow();
    await expect(connectAs(deviceB.id, deviceB.password, `tonari-test-${randomUUID()}`)).rejects.toThrow();
    const b = await connectAs(deviceB.id, deviceB.password);
    open.push(b);
    await victim.publishAsync(upTopic(deviceA, 'status'), '{"still":"here"}', { qos: 1 });
    expect(await waitFor(() => uplinks.some((m) => m.payload === '{"still":"here"}'))).toBe(true);
    expect(dropped).toBe(false);
    await Promise.all([victim.endAsync(), b.endAsync()]);
  });

  it("does not deliver a device's publish to another device's up/ topic", async () => {
    const client = await connectAs(deviceA.id, deviceA.password);
    open.push(client);
    const marker = `spoof-${randomUUID()}`;
    // The broker may answer a refused QoS 1 publish with a PUBACK error (MQTT 5) or silently drop it.
    await client.publishAsync(upTopic(deviceB), marker, { qos: 1 }).catch(() => undefined);
    // A legitimate message sent afterwards proves the pipe works, so the absence of the spoof is real.
    await client.publishAsync(upTopic(deviceA, 'status'), '{"online":true}', { qos: 1 });
    expect(await waitFor(() => uplinks.some((m) => m.topic === upTopic(deviceA, 'status')))).toBe(true);
    await sleep(200);
    expect(uplinks.some((m) => m.payload === marker)).toBe(false);
    await client.endAsync();
  });

  it("lets a device subscribe only to its own down/ topic, where the server can publish", async () => {
    const client = await connectAs(deviceA.id, deviceA.password);
    open.push(client);
    const received = collect(client);
    const own = await client.subscribeAsync(`tonari/${associationId}/${deviceA.id}/down/#`, { qos: 1 });
    expect(own.map((grant) => grant.qos)).toEqual([1]);
    expect(await subscribeRefused(client, `tonari/${associationId}/${deviceB.id}/down/#`)).toBe(true);
    expect(await subscribeRefused(client, `tonari/${associationId}/+/up/#`)).toBe(true);

    await admin.publishAsync(downTopic(deviceA), '{"volume":3}', { qos: 1 });
    expect(await waitFor(() => received.some((m) => m.topic === downTopic(deviceA)))).toBe(true);
    await client.endAsync();
  });

  it('refuses a wrong password and an unknown user', async () => {
    expect(REFUSED).toContain(await refusedCode(deviceA.id, `${deviceA.password}x`));
    expect(REFUSED).toContain(await refusedCode(randomUUID(), 'whatever'));
  });

  it('rotates the password: the old one fails, the new one works', async () => {
    const oldPassword = deviceA.password;
    deviceA.password = randomBytes(18).toString('base64url');
    await dynsec.upsertDevice(deviceA);
    expect(REFUSED).toContain(await refusedCode(deviceA.id, oldPassword));
    const client = await connectAs(deviceA.id, deviceA.password);
    open.push(client);
    await client.endAsync();
  });

  it('revokes a device: its live connection is dropped and it cannot reconnect', async () => {
    const client = await connectAs(deviceA.id, deviceA.password);
    open.push(client);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await dynsec.revokeDevice(deviceA.id);
    await expect(
      Promise.race([closed.then(() => 'closed'), sleep(5000).then(() => 'still connected')]),
    ).resolves.toBe('closed');
    expect(REFUSED).toContain(await refusedCode(deviceA.id, deviceA.password));
    // Revoking again is a no-op, and provisioning again brings the device back.
    await dynsec.revokeDevice(deviceA.id);
    await dynsec.upsertDevice(deviceA);
    const again = await connectAs(deviceA.id, deviceA.password);
    open.push(again);
    await again.endAsync();
  });

  it('gives a fresh admin user the server role even when Mosquitto drops it mid-way, also twice at once', async () => {
    // A second dynsec admin of our own, so that giving it the role (which makes Mosquitto
    // drop every connection of that user) cannot disturb anything else using the broker.
    const username = `tonari-test-admin-${randomBytes(6).toString('hex')}`;
    const password = randomBytes(18).toString('base64url');
    await rawCommand(admin, { command: 'createClient', username, password, roles: [{ rolename: 'admin' }] });
    try {
      const options = { ...baseOptions(), username, password, reconnectPeriod: 200 };
      const first = await mqtt.connectAsync(brokerUrl(), { ...options, clientId: `tonari-test-${randomUUID()}` }, false);
      const second = await mqtt.connectAsync(brokerUrl(), { ...options, clientId: `tonari-test-${randomUUID()}` }, false);
      open.push(first, second);
      const drops = { first: 0, second: 0 };
      first.on('close', () => drops.first++);
      second.on('close', () => drops.second++);
      await Promise.all([
        new MosquittoDynsec(first).ensureServerAccess(username),
        new MosquittoDynsec(second).ensureServerAccess(username),
      ]);
      // Mosquitto did drop them (that is the path under test), and they are back.
      expect(drops.first + drops.second).toBeGreaterThan(0);
      expect(first.connected && second.connected).toBe(true);

      const received = collect(first);
      const granted = await first.subscribeAsync(`$share/${shareGroup}-2/tonari/+/+/up/#`, { qos: 1 });
      expect(granted.map((grant) => grant.qos)).toEqual([1]);
      await dynsec.upsertDevice(deviceB);
      const device = await connectAs(deviceB.id, deviceB.password);
      open.push(device);
      await device.publishAsync(upTopic(deviceB), '{"hello":"b"}', { qos: 1 });
      expect(await waitFor(() => received.some((m) => m.topic === upTopic(deviceB)))).toBe(true);
      await device.endAsync();
      await Promise.all([first.endAsync(), second.endAsync()]);
    } finally {
      await rawCommand(admin, { command: 'deleteClient', username }).catch(() => undefined);
    }
  });

  it('reports dynsec errors clearly', async () => {
    await expect(dynsec.upsertDevice({ ...deviceB, id: 'a/#' })).rejects.toThrow(/single MQTT topic level/);
    await expect(dynsec.ensureServerAccess(`no-such-user-${randomUUID()}`)).rejects.toThrow(
      /getClient failed: Client not found/,
    );
  });
});
