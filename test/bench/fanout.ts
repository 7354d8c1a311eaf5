import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { alternate, median, percentile, quiet, ratio, type Bench, type BenchContext } from './harness.js';
import { errorLines, freePort, startInstance, waitFor } from '../support/processes.js';
import { ApiClient } from '../support/http-client.js';
import { OFFICER, seedFanoutTown } from './fanout-seed.js';
import type { FromClients, ToClients } from './fanout-clients.js';

/**
 * `bench fanout`: an officer publishes a circular to every household of a town whose members
 * all have the app open (one Socket.IO connection each, spread over separate client
 * processes); measured from the publish request to each socket's receipt of
 * `circular:published`. The anchor is a bare `ws` server broadcasting the same frame to as
 * many plain WebSocket clients in as many processes. tonari is the built main.js in its own
 * process, on a database of its own; its RSS is read from /proc with every socket connected.
 */

const here = (file: string) => path.join(import.meta.dirname, file);
const now = () => performance.timeOrigin + performance.now();
const ROUND_TIMEOUT_MS = 60_000;

interface Clients {
  send(message: ToClients): void;
  next(): Promise<FromClients>;
}

function startClients(ctx: BenchContext): Clients {
  const child = ctx.spawn(process.execPath, [here('fanout-clients.js')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: FromClients[] = [];
  const waiting: { resolve(m: FromClients): void; reject(e: Error): void }[] = [];
  child.on('message', (m: FromClients) => (waiting.length ? waiting.shift()!.resolve(m) : inbox.push(m)));
  child.on('exit', (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`a client process exited (${code ?? signal})`));
  });
  return {
    send: (message) => void child.send(message),
    next: () => (inbox.length ? Promise.resolve(inbox.shift()!) : new Promise((resolve, reject) => waiting.push({ resolve, reject }))),
  };
}

/** Connects `count` sockets over the client processes, each its slice. */
async function connect(processes: Clients[], make: (from: number, to: number) => ToClients, count: number, what: string) {
  const share = Math.ceil(count / processes.length);
  processes.forEach((p, i) => p.send(make(i * share, Math.min(count, (i + 1) * share))));
  const replies = await Promise.all(processes.map((p) => p.next()));
  const failed = replies.reduce((n, r) => n + (r.type === 'connected' ? r.failed : 0), 0);
  const error = replies.find((r) => r.type === 'connected' && r.firstError);
  if (failed) throw new Error(`${failed} of ${count} ${what} sockets failed to connect: ${error?.type === 'connected' ? error.firstError : ''}`);
}

/** One broadcast: arms every client process, runs `trigger`, and returns per-socket latencies from just before it. */
async function round(processes: Clients[], marker: string, trigger: () => Promise<void>) {
  for (const p of processes) p.send({ type: 'arm', marker, timeoutMs: ROUND_TIMEOUT_MS });
  await Promise.all(processes.map((p) => p.next()));
  const load = await quiet(1.5, 20_000);
  const t0 = now();
  const received = Promise.all(processes.map((p) => p.next()));
  received.catch(() => undefined); // a failed trigger ends the bench; its clients are killed then
  await trigger();
  const answeredAt = now();
  const replies = await received;
  const latencies = replies.flatMap((r) => (r.type === 'received' ? r.times.map((t) => t - t0) : []));
  const missing = replies.reduce((n, r) => n + (r.type === 'received' ? r.missing : 0), 0);
  if (missing) throw new Error(`${missing} sockets did not receive ${marker} within ${ROUND_TIMEOUT_MS} ms`);
  return { last: Math.max(...latencies), first: Math.min(...latencies), p99: percentile(latencies, 99), load, answered: answeredAt - t0 };
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** Enough file descriptors and ephemeral ports for every socket, or a clear refusal. */
function checkLimits(ctx: BenchContext, sockets: number) {
  const limit = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
  if (limit && Number(limit) < sockets + 1_000) throw new Error(`ulimit -n is ${limit}: ${sockets} sockets need at least ${sockets + 1_000} (raise it, e.g. ulimit -n 65536)`);
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  ctx.log(`limits: open files ${limit}, ephemeral ports ${low}-${high} (${high! - low! + 1}; tonari's and the anchor's clients each use ${sockets})`);
  if (high! - low! + 1 < sockets) throw new Error(`only ${high! - low! + 1} ephemeral ports for ${sockets} sockets: widen net.ipv4.ip_local_port_range`);
}

export const fanoutBench: Bench = {
  name: 'fanout',
  describe: 'a circular to N connected Socket.IO clients in separate processes (publish → last receipt, p99, RSS) against a bare ws broadcast',
  flags: {
    sockets: 'connected clients, one household each (10000)',
    'client-processes': 'processes the clients are spread over, for each side (4)',
    profile: 'a directory: write a CPU profile of tonari there (off)',
  },
  async run(ctx) {
    const sockets = ctx.number('sockets', 10_000);
    const processCount = ctx.number('client-processes', 4);
    checkLimits(ctx, sockets);

    const database = await ctx.database();
    ctx.log(`seeding ${sockets} households with a logged-in member each`);
    const { cookies } = await seedFanoutTown(database.url, sockets);

    const dataDir = await mkdtemp(path.join(tmpdir(), 'tonari-bench-fanout-'));
    ctx.defer(() => rm(dataDir, { recursive: true, force: true }));
    const instance = await startInstance({
      name: 'tonari',
      port: await freePort(),
      env: {
        DATABASE_URL: database.url, MQTT_PORT: String(await freePort()), DATA_DIR: dataDir, SEED_DEMO: 'false',
        // --profile <dir>: a CPU profile of tonari (written when it is stopped with SIGTERM at the end).
        ...(typeof ctx.flags.profile === 'string' && { NODE_OPTIONS: `--import=${here('cpu-profile.js')}`, CPU_PROFILE_DIR: path.resolve(ctx.flags.profile) }),
      },
    });
    ctx.defer(() => instance.kill(ctx.flags.profile ? 'SIGTERM' : 'SIGKILL'));
    const officer = new ApiClient(instance.baseUrl);
    await officer.login(OFFICER.identifier, OFFICER.password);

    ctx.log(`connecting ${sockets} Socket.IO clients to tonari over ${processCount} processes`);
    const tonariClients = Array.from({ length: processCount }, () => startClients(ctx));
    let started = Date.now();
    await connect(tonariClients, (from, to) => ({ type: 'connect', mode: 'socketio', url: instance.baseUrl, cookies: cookies.slice(from, to), concurrency: 50 }), sockets, 'Socket.IO');
    ctx.log(`connected in ${Date.now() - started} ms; tonari RSS ${rssMb(instance.process.pid!).toFixed(0)} MB`);

    let anchor: { pid: number; url: string; clients: Clients[] } | null = null;
    try {
      const port = await freePort();
      const server = ctx.spawn(process.execPath, [here('fanout-ws-server.js'), String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await waitFor('the bare ws server', () => new Promise<boolean>((resolve) => server.once('message', () => resolve(true))), 10_000);
      const anchorClients = Array.from({ length: processCount }, () => startClients(ctx));
      started = Date.now();
      await connect(anchorClients, (from, to) => ({ type: 'connect', mode: 'ws', url: `ws://127.0.0.1:${port}`, count: to - from, concurrency: 50 }), sockets, 'ws');
      ctx.log(`bare ws clients connected in ${Date.now() - started} ms`);
      anchor = { pid: server.pid!, url: `http://127.0.0.1:${port}/broadcast`, clients: anchorClients };
    } catch (error) {
      ctx.log(`the bare ws anchor could not start: ${(error as Error).message}`);
    }

    const tonari = async (i: number) => {
      const marker = `ベンチ回覧 ${i} ${randomUUID().slice(0, 8)}`;
      const draft = await officer.post('/api/circulars', { title: marker, bodyMarkdown: '避難訓練のお知らせです。', category: 'notice' });
      if (draft.status !== 201 && draft.status !== 200) throw new Error(`draft: ${draft.status} ${draft.text}`);
      const result = await round(tonariClients, marker, async () => {
        const published = await officer.post(`/api/circulars/${draft.body.id}/publish`);
        if (published.status !== 200) throw new Error(`publish: ${published.status} ${published.text}\n${errorLines(instance).join('\n')}`);
      });
      ctx.log(`tonari${i < 0 ? ' (warm-up)' : ''}: last ${result.last.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms, first ${result.first.toFixed(0)} ms, answered ${result.answered.toFixed(0)} ms (load ${result.load.toFixed(2)})`);
      return result;
    };
    const bare = async (i: number) => {
      if (!anchor) return null;
      const marker = `ベンチ回覧 ws ${i} ${randomUUID().slice(0, 8)}`;
      const frame = `42${JSON.stringify(['circular:published', { circularId: randomUUID(), title: marker, category: 'notice', dueAt: null }])}`;
      const url = anchor.url;
      const result = await round(anchor.clients, marker, async () => {
        const response = await fetch(url, { method: 'POST', body: frame });
        if (Number(await response.text()) !== sockets) throw new Error('the bare ws server did not reach every client');
      });
      ctx.log(`bare ws${i < 0 ? ' (warm-up)' : ''}: last ${result.last.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms, first ${result.first.toFixed(0)} ms, answered ${result.answered.toFixed(0)} ms (load ${result.load.toFixed(2)})`);
      return result;
    };
    // One unmeasured broadcast each first: neither side is measured cold (JIT, first connections).
    await tonari(-1);
    await bare(-1);
    const runs = await alternate(ctx.pairs, tonari, bare);

    const rss = rssMb(instance.process.pid!);
    const anchorRss = anchor ? rssMb(anchor.pid) : null;
    const measured = runs.a.flatMap((r) => (r ? [r] : []));
    const lasts = measured.map((r) => r.last);
    const p99s = measured.map((r) => r.p99);
    // The first receipt: what the publish spends before the broadcast starts (request, transaction, commit).
    const firsts = measured.map((r) => r.first);
    const bareLasts = runs.b.flatMap((r) => (r ? [r.last] : []));
    const bareMedian = bareLasts.length ? median(bareLasts) : null;
    ctx.report(
      `bench fanout: tonari ${median(lasts).toFixed(0)} ms, bare ws ${bareMedian === null ? 'n/a' : bareMedian.toFixed(0)} ms, ratio ${ratio(median(lasts), bareMedian)}, ` +
        `p99 ${median(p99s).toFixed(0)} ms, rss ${rss.toFixed(0)} MB, bare ws rss ${anchorRss === null ? 'n/a' : anchorRss.toFixed(0)} MB, sockets ${sockets}, first ${median(firsts).toFixed(0)} ms`,
      {
        'fanout tonari ms': lasts,
        'fanout bare ws ms': bareLasts,
        'fanout tonari p99 ms': p99s,
        'fanout tonari first receipt ms': firsts,
        'fanout bare ws p99 ms': runs.b.flatMap((r) => (r ? [r.p99] : [])),
        'fanout load average': [...runs.a, ...runs.b].flatMap((r) => (r ? [r.load] : [])),
      },
    );
  },
};
