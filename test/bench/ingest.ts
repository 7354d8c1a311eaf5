import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { alternate, median, quiet, ratio, type Bench, type BenchContext } from './harness.js';
import { freePort, mosquittoBin, startInstance, startMosquitto, type Instance, type MosquittoServer } from '../support/processes.js';
import { seedAssociation } from '../support/fixtures.js';
import { createDatabase } from '../../server/src/platform/db/database.js';
import { hashDeviceSecret } from '../../server/src/devices/device-credentials.js';
import { DynsecConnection } from '../../server/src/devices/mosquitto-dynsec-connection.js';
import type { ChildProcess } from 'node:child_process';

/**
 * Device ingest against the broker's own rate. Publisher processes (`--publishers`, the devices
 * split between them, the same for both sides) stream `--messages` QoS 1 uplinks from
 * `--devices` device connections through Mosquitto (the deploy configuration, started from
 * the Debian package); the clock runs from the first publish until
 *  - tonari (the built main.js in its own process, on a fresh database): every message is
 *    committed — each presence report a row in device_messages, and each device's last
 *    heartbeat its latest (a heartbeat is the device's state, not a row: device.uplinks.ts);
 *  - the anchor, a bare subscriber process with tonari's subscription: it has counted every one.
 * Mosquitto's dynamic security keeps one login for all the bench's device connections (each
 * with its device id as client id) rather than one client and role per device: tonari reads
 * the device from the topic either way. Without Mosquitto, tonari's embedded Aedes broker is
 * measured (each device with its own login) and there is no anchor.
 */
const RECEIVE_MAXIMUM = 10_000; // tonari's (mqtt-client-transport.ts)

export const ingestBench: Bench = {
  name: 'ingest',
  describe: 'QoS 1 device messages through Mosquitto until committed, against a bare subscriber counting the same stream',
  flags: { messages: 'messages per run (100000)', devices: 'device connections (500)', publishers: 'publisher processes, the devices split between them (2)', 'cpu-prof': 'directory for CPU profiles of tonari (off)' },
  async run(ctx) {
    const messages = ctx.number('messages', 100_000);
    const deviceCount = ctx.number('devices', 500);
    const cpuProf = typeof ctx.flags['cpu-prof'] === 'string' ? path.resolve(ctx.flags['cpu-prof']) : null;
    const deviceIds = Array.from({ length: deviceCount }, () => randomUUID());
    const publisherCount = ctx.number('publishers', 2);
    const perDevice = Math.ceil(messages / deviceCount);
    const total = perDevice * deviceCount;

    const mosquitto = mosquittoBin ? await startMosquitto() : null;
    if (mosquitto) ctx.defer(() => mosquitto.destroy());
    const logins = mosquitto ? await provision(mosquitto) : null;
    if (!mosquitto) ctx.log('no Mosquitto installed: measuring tonari with its embedded Aedes broker, without an anchor');

    const publisherRates: number[] = [];
    // The publishers' own CPU per message (both sides): they share the machine with what they measure.
    const publisherCpu: number[] = [];
    const cpuPerMessage: number[] = [];
    const postgresCpuPerMessage: number[] = [];
    // Messages per transaction committed in tonari's database during the run, less the bench's
    // own polls (tonari's job polling, a few a second, stays in): a batch's fixed statements
    // and its commit are shared by its messages.
    const messagesPerCommit: number[] = [];
    const loads: number[] = [];
    // The stream comes from `--publishers` processes (the devices split between them), started
    // the same way for both sides: one publisher process alone can be what limits the anchor.
    const publisherProcesses = Math.max(1, Math.min(publisherCount, deviceCount));
    const shares = Array.from({ length: publisherProcesses }, (_, p) => deviceIds.filter((_, i) => i % publisherProcesses === p));
    const publish = async (url: string, associationId: string, login: { username: string; password: string } | 'device') => {
      const publishers = shares.map(() => child(ctx, 'ingest-publisher.js'));
      await Promise.all(
        publishers.map((publisher, p) => {
          const connected = reply(publisher, 'connected');
          publisher.send({ connect: { url, ...(login === 'device' ? { username: '', password: DEVICE_SECRET } : login), perDeviceLogin: login === 'device', associationId, deviceIds: shares[p] } });
          return connected;
        }),
      );
      loads.push(await quiet(1.5, 15_000));
      const published = publishers.map((publisher) => reply<{ ms: number; messages: number }>(publisher, 'published'));
      const publisherCpuBefore = await Promise.all(publishers.map((publisher) => cpuSeconds(publisher.pid)));
      const bootId = `bench-${randomBytes(4).toString('hex')}`;
      const started = performance.now();
      shares.forEach((share, p) => publishers[p]!.send({ run: { messages: perDevice * share.length, bootId } }));
      return {
        bootId,
        started,
        published: Promise.all(published).then(async (all) => {
          const sent = all.reduce((n, p) => n + p.messages, 0);
          publisherRates.push(sent / (Math.max(...all.map((p) => p.ms)) / 1000));
          const after = await Promise.all(publishers.map((publisher) => cpuSeconds(publisher.pid)));
          const cpu = after.reduce((n, s, i) => n + s - publisherCpuBefore[i]!, 0);
          if (Number.isFinite(cpu)) publisherCpu.push((cpu / sent) * 1e6);
        }),
        stop: () => {
          for (const publisher of publishers) publisher.kill('SIGKILL');
        },
      };
    };

    const tonari = async (i: number): Promise<number | null> => {
      const database = await ctx.database();
      const associationId = await seed(database.url, deviceIds);
      const port = await freePort();
      const mqttPort = await freePort();
      const env: Record<string, string> = { DATABASE_URL: database.url, SEED_DEMO: 'false', LOG_LEVEL: 'info' };
      if (mosquitto) Object.assign(env, { MQTT_URL: mosquitto.adminUrl, MQTT_DYNSEC: 'true' });
      else env.MQTT_PORT = String(mqttPort);
      const nodeArgs = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [];
      const instance = await startInstance({ name: `tonari ${i + 1}`, port, env, nodeArgs });
      ctx.defer(() => instance.kill());
      const counter = new pg.Client({ connectionString: database.url });
      await counter.connect();
      try {
        const run = await publish(mosquitto?.deviceUrl ?? `mqtt://127.0.0.1:${mqttPort}`, associationId, logins?.devices ?? 'device');
        const cpuBefore = await cpuSeconds(instance.process.pid);
        const postgresBefore = await postgresCpu(counter);
        const commitsBefore = await commits(counter);
        // Polled every 50 ms on the machine under test: not a count(*) of the whole table each
        // time (tens of ms of PostgreSQL's CPU a second, taken from tonari's), but one index
        // probe per device for its last message (a presence report's row, or a heartbeat in the
        // device's row). A device's messages are stored in order (one lane), so once each has
        // its last one, the reports' count and every device's last heartbeat are confirmed
        // once; should either be short, they are polled from then on.
        const lastIsReport = perDevice % 4 === 0; // the publisher's stream: every fourth a presence report
        const lastHeartbeat = lastIsReport ? perDevice - 1 : perDevice;
        const reports = Math.floor(perDevice / 4) * deviceCount;
        let counting = false;
        let polls = 0;
        for (;;) {
          if (!counting) {
            polls++;
            const { rows } = await counter.query<{ n: number }>(
              lastIsReport
                ? 'select count(*)::int as n from unnest($1::uuid[]) d(id) where exists (select from device_messages m where m.device_id = d.id and m.boot_id = $2 and m.seq = $3)'
                : "select count(*)::int as n from devices where id = any($1::uuid[]) and last_heartbeat->>'bootId' = $2 and (last_heartbeat->>'seq')::int = $3",
              [deviceIds, run.bootId, perDevice],
            );
            counting = rows[0]!.n >= deviceIds.length;
          }
          if (counting) {
            polls++;
            const { rows } = await counter.query<{ n: number; beats: number }>(
              `select (select count(*)::int from device_messages) as n,
                 (select count(*)::int from devices where id = any($1::uuid[]) and last_heartbeat->>'bootId' = $2 and (last_heartbeat->>'seq')::int = $3) as beats`,
              [deviceIds, run.bootId, lastHeartbeat],
            );
            if (rows[0]!.n >= reports && rows[0]!.beats >= deviceIds.length) break;
          }
          if (performance.now() - run.started > 300_000) throw new Error(`tonari stored only part of ${total} messages in 5 minutes`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const rate = total / ((performance.now() - run.started) / 1000);
        const cpu = (await cpuSeconds(instance.process.pid)) - cpuBefore;
        if (Number.isFinite(cpu)) cpuPerMessage.push((cpu / total) * 1e6);
        const postgresAfter = await postgresCpu(counter);
        let postgres = 0;
        for (const [pid, seconds] of postgresAfter) postgres += seconds - (postgresBefore.get(pid) ?? 0); // a session opened during the run: all of it
        if (postgresAfter.size && Number.isFinite(postgres)) postgresCpuPerMessage.push((postgres / total) * 1e6);
        // The polls, the CPU read after them and the two reads of the count (within the
        // second or so the statistics lag, as the batches' own).
        const committed = (await commits(counter)) - commitsBefore - polls - 3;
        if (committed > 0) messagesPerCommit.push(total / committed);
        await run.published;
        run.stop();
        ctx.log(`tonari ${i + 1}: ${Math.round(rate)} msg/s, ${Math.round((cpu / total) * 1e6)} µs CPU per message`);
        return rate;
      } finally {
        await counter.end();
        await stopTonari(instance, mosquitto);
        await database.drop();
      }
    };

    const brokerOnly = async (i: number) => {
      if (!mosquitto || !logins) return null;
      const subscriber = child(ctx, 'ingest-subscriber.js');
      try {
        const subscribed = reply(subscriber, 'subscribed');
        subscriber.send({ start: { url: mosquitto.deviceUrl, ...logins.subscriber, expect: total, receiveMaximum: RECEIVE_MAXIMUM } });
        await subscribed;
        const counted = reply(subscriber, 'counted');
        const run = await publish(mosquitto.deviceUrl, randomUUID(), logins.devices);
        await counted;
        const rate = total / ((performance.now() - run.started) / 1000);
        await run.published;
        run.stop();
        ctx.log(`broker-only ${i + 1}: ${Math.round(rate)} msg/s`);
        return rate;
      } finally {
        subscriber.kill('SIGKILL');
      }
    };

    const result = await alternate(ctx.pairs, tonari, brokerOnly);
    const tonariRate = median(result.a.filter((r): r is number => r !== null));
    const anchors = result.b.filter((r): r is number => r !== null);
    const anchor = anchors.length ? median(anchors) : null;
    const fields = [
      `bench ingest: tonari ${Math.round(tonariRate)} msg/s`,
      anchor === null ? 'broker-only n/a (no Mosquitto: embedded Aedes broker)' : `broker-only ${Math.round(anchor)} msg/s`,
      `ratio ${ratio(tonariRate, anchor)}`,
      `publisher ${Math.round(median(publisherRates))} msg/s`,
      `publisher cpu ${publisherCpu.length ? Math.round(median(publisherCpu)) : 'n/a'} us/msg`,
      `tonari cpu ${cpuPerMessage.length ? Math.round(median(cpuPerMessage)) : 'n/a'} us/msg`,
      `postgres cpu ${postgresCpuPerMessage.length ? Math.round(median(postgresCpuPerMessage)) : 'n/a'} us/msg`,
      `messages per commit ${messagesPerCommit.length ? Math.round(median(messagesPerCommit)) : 'n/a'}`,
      `messages ${total}`,
      `devices ${deviceCount}`,
      `publishers ${shares.length}`,
      `load ${median(loads).toFixed(2)}`,
    ];
    ctx.report(fields.join(', '), { 'ingest tonari msg/s': result.a.filter((r): r is number => r !== null), 'ingest tonari CPU µs/msg': cpuPerMessage, 'ingest postgres CPU µs/msg': postgresCpuPerMessage, 'ingest broker-only msg/s': anchors, 'ingest publisher msg/s': publisherRates, 'ingest publisher CPU µs/msg': publisherCpu, 'ingest messages per commit': messagesPerCommit });
  },
};

const DEVICE_SECRET = 'bench-device-secret';

/** Dynamic security: one login for the bench's device connections, one for the anchor subscriber. */
async function provision(mosquitto: MosquittoServer) {
  const admin = await mqtt.connectAsync(mosquitto.adminUrl, { clientId: `bench-admin-${process.pid}`, reconnectPeriod: 0 });
  const dynsec = new DynsecConnection(admin, 10_000);
  const devices = { username: 'bench-devices', password: randomBytes(12).toString('hex') };
  const subscriber = { username: 'bench-subscriber', password: randomBytes(12).toString('hex') };
  try {
    await dynsec.command({ command: 'createRole', rolename: 'bench-devices', acls: [{ acltype: 'publishClientSend', topic: 'tonari/+/+/up/#', allow: true }] });
    await dynsec.command({
      command: 'createRole',
      rolename: 'bench-subscriber',
      acls: [
        { acltype: 'subscribePattern', topic: 'tonari/+/+/up/#', allow: true },
        { acltype: 'publishClientReceive', topic: 'tonari/+/+/up/#', allow: true },
      ],
    });
    await dynsec.command({ command: 'createClient', ...devices, roles: [{ rolename: 'bench-devices' }] });
    await dynsec.command({ command: 'createClient', ...subscriber, roles: [{ rolename: 'bench-subscriber' }] });
  } finally {
    dynsec.dispose();
    await admin.endAsync();
  }
  return { devices, subscriber };
}

/** A fresh association with one speaker per household, the devices under the given ids. */
async function seed(url: string, deviceIds: string[]): Promise<string> {
  const db = createDatabase(url, { max: 1 });
  try {
    const x = await seedAssociation(db, `bench-${randomBytes(3).toString('hex')}`);
    const households = await db
      .insertInto('households')
      .values(deviceIds.map((_, i) => ({ association_id: x.association.id, block_id: x.blocks.block1.id, household_number: `b${i}`, name: `世帯${i}`, address: '京田辺市', channels: ['speaker' as const] })))
      .returning('id')
      .execute();
    const hash = hashDeviceSecret(DEVICE_SECRET);
    await db
      .insertInto('devices')
      .values(households.map((h, i) => ({ id: deviceIds[i]!, association_id: x.association.id, household_id: h.id, label: `bench ${i}`, secret_hash: hash, credentials_issued_at: new Date() })))
      .execute();
    return x.association.id;
  } finally {
    await db.destroy();
  }
}

/**
 * Stops tonari (SIGTERM, so a CPU profile is written) and ends its persistent session on the
 * broker: it would otherwise go on queueing the anchor's stream.
 */
async function stopTonari(instance: Instance, mosquitto: MosquittoServer | null) {
  await instance.kill('SIGTERM');
  if (!mosquitto) return;
  const client = await mqtt.connectAsync(mosquitto.adminUrl, {
    clientId: `tonari-server-${hostname()}-${instance.port}`,
    clean: true,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 0 },
    reconnectPeriod: 0,
  });
  await client.endAsync();
}

/** CPU seconds (user + system) a process has used so far, from /proc (NaN where there is none). */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return Number.NaN;
  }
}

/**
 * Transactions committed in the database so far (the cumulative statistics: a backend reports
 * its counts within a second or so, so a run of several seconds is counted to within that).
 */
async function commits(client: pg.Client): Promise<number> {
  await client.query('select pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ n: string }>('select xact_commit as n from pg_stat_database where datname = current_database()');
  return Number(rows[0]?.n ?? 0);
}

/** CPU seconds of tonari's PostgreSQL sessions (it names them) by pid, when the server runs on this machine. */
async function postgresCpu(client: pg.Client): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>(`select pid from pg_stat_activity where application_name like 'tonari %'`);
  const seconds = await Promise.all(rows.map((r) => cpuSeconds(r.pid)));
  return new Map(rows.map((r, i) => [r.pid, seconds[i]!] as const).filter(([, s]) => Number.isFinite(s)));
}

function child(ctx: BenchContext, script: string): ChildProcess {
  return ctx.spawn(process.execPath, [path.join(import.meta.dirname, script)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The child's next IPC message carrying `key` (or its error, or its exit). */
function reply<T = unknown>(process: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>) => {
      if (message.error) return done(() => reject(new Error(String(message.error))));
      if (key in message) done(() => resolve(message[key] as T));
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`${key}: the helper process exited (${code})`)));
    const done = (settle: () => void) => {
      process.off('message', onMessage);
      process.off('exit', onExit);
      settle();
    };
    process.on('message', onMessage);
    process.on('exit', onExit);
  });
}
