import { describe, it, expect } from 'vitest';
import { parseTopic, statusSchema, topics, uplinkSchemas, type UplinkKind } from './protocol.js';
import { jstHour, seededRandom, SimulatedTime, type Random } from './simulator-patterns.js';
import {
  HELP_AFTER_REAL_MS,
  SimulatedDevice,
  type Clock,
  type ConnectFn,
  type DeviceConnectOptions,
  type DeviceEvent,
  type DeviceMqttClient,
  type Scenario,
  type Timers,
} from './simulated-device.js';

const DEVICE = '7f3c2a10-5b6e-4d2a-9c1b-00000000aa01';
const ASSOCIATION = '11111111-2222-4333-8444-555555555555';
const NINE_AM_JST = Date.parse('2026-11-22T09:00:00+09:00');
const MIDNIGHT_JST = Date.parse('2026-11-22T00:00:00+09:00');

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock and one-shot timers that move only when told. */
class FakeTime implements Clock, Timers {
  private nextId = 0;
  private readonly queue = new Map<number, { at: number; fn: () => void }>();
  constructor(public ms: number) {}
  now = () => new Date(this.ms);
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.nextId;
    this.queue.set(id, { at: this.ms + Math.max(0, ms), fn });
    return id;
  };
  clearTimeout = (handle: unknown) => void this.queue.delete(handle as number);
  /** Runs every timer due within `ms`, in order, letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.ms + ms;
    for (;;) {
      await flush();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.queue) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.queue.delete(next[0]);
      this.ms = next[1].at;
      next[1].fn();
    }
    this.ms = end;
    await flush();
  }
}

interface Published {
  clientId: string;
  topic: string;
  kind: string;
  message: Record<string, unknown>;
  at: number;
}

/** An in-memory broker: checks passwords, records what is published, delivers downlinks. */
class FakeBroker {
  readonly passwords = new Map<string, string>();
  readonly clients: FakeClient[] = [];
  readonly published: Published[] = [];
  constructor(readonly time: FakeTime) {}
  connect: ConnectFn = (url, options) => {
    const client = new FakeClient(this, url, options);
    this.clients.push(client);
    queueMicrotask(() => client.handshake());
    return client;
  };
  get last(): FakeClient {
    return this.clients[this.clients.length - 1]!;
  }
  uplinks(kind?: UplinkKind): Published[] {
    return this.published.filter((p) => !kind || p.kind === kind);
  }
}

class FakeClient implements DeviceMqttClient {
  connected = false;
  ended = false;
  dropped = false;
  readonly subscriptions: string[] = [];
  private readonly handlers = { connect: [] as (() => void)[], message: [] as ((t: string, p: Buffer) => void)[], close: [] as (() => void)[], error: [] as ((e: Error & { code?: number | string }) => void)[] };
  constructor(
    private readonly broker: FakeBroker,
    readonly url: string,
    readonly options: DeviceConnectOptions,
  ) {}
  handshake() {
    if (this.broker.passwords.get(this.options.username) === this.options.password) {
      this.connected = true;
      for (const h of this.handlers.connect) h();
    } else {
      for (const h of this.handlers.error) h(Object.assign(new Error('Connection refused: Bad username or password'), { code: 4 }));
    }
  }
  onConnect = (h: () => void) => void this.handlers.connect.push(h);
  onMessage = (h: (t: string, p: Buffer) => void) => void this.handlers.message.push(h);
  onClose = (h: () => void) => void this.handlers.close.push(h);
  onError = (h: (e: Error & { code?: number | string }) => void) => void this.handlers.error.push(h);
  publish = async (topic: string, payload: string) => {
    if (this.ended || this.dropped) throw new Error('client disconnecting');
    const parsed = parseTopic(topic);
    this.broker.published.push({ clientId: this.options.clientId, topic, kind: parsed?.kind ?? '?', message: JSON.parse(payload) as Record<string, unknown>, at: this.broker.time.ms });
  };
  subscribe = async (topic: string) => void this.subscriptions.push(topic);
  end = async () => {
    this.ended = true;
    this.connected = false;
  };
  drop = () => {
    this.dropped = true;
    this.connected = false;
  };
  deliver(kind: string, message: unknown, raw?: string) {
    const topic = `${topics.prefix(ASSOCIATION, DEVICE)}/down/${kind}`;
    for (const h of this.handlers.message) h(topic, Buffer.from(raw ?? JSON.stringify(message)));
  }
  deliverOn(topic: string, message: unknown) {
    for (const h of this.handlers.message) h(topic, Buffer.from(JSON.stringify(message)));
  }
}

function setup(scenario: Scenario, options: { speed?: number; startMs?: number; random?: Random; password?: string; renewPassword?: () => Promise<string | null> } = {}) {
  const time = new FakeTime(options.startMs ?? NINE_AM_JST);
  const broker = new FakeBroker(time);
  broker.passwords.set(DEVICE, 'secret');
  const events: DeviceEvent[] = [];
  const simulated = new SimulatedTime(time.ms, options.speed ?? 1);
  const make = () =>
    new SimulatedDevice({
      deviceId: DEVICE,
      associationId: ASSOCIATION,
      password: options.password ?? 'secret',
      mqttUrl: 'mqtt://broker.test:1883',
      scenario,
      label: 'テスト 01',
      time: simulated,
      connect: broker.connect,
      clock: time,
      random: options.random ?? seededRandom(7),
      timers: time,
      onEvent: (event) => events.push(event),
      renewPassword: options.renewPassword,
    });
  const device = make();
  return { time, broker, device, events, simulated, make };
}

/** setup(), the device started and `afterMs` of real time gone by (by default, long enough to connect). */
async function started(scenario: Scenario, options: Parameters<typeof setup>[1] = {}, afterMs = 100) {
  const parts = setup(scenario, options);
  parts.device.start();
  await parts.time.advance(afterMs);
  return parts;
}

/** Every message must pass the protocol schema of its topic's kind. */
function expectAllValid(published: Published[]) {
  expect(published.length).toBeGreaterThan(0);
  for (const p of published) {
    const parsed = parseTopic(p.topic);
    expect(parsed, p.topic).toMatchObject({ associationId: ASSOCIATION, deviceId: DEVICE, direction: 'up' });
    const schema = uplinkSchemas[p.kind as UplinkKind];
    expect(schema, `unknown kind ${p.kind}`).toBeDefined();
    const result = schema.safeParse(p.message);
    expect(result.success, `${p.kind} ${JSON.stringify(p.message)}: ${result.error?.message}`).toBe(true);
  }
}

const prompt = (id: string, overrides: object = {}) => ({
  id,
  kind: 'watch',
  text: 'おはようございます。お元気ですか？無事ならボタンを押してください。',
  buttons: ['safe', 'help'],
  expiresAt: new Date(NINE_AM_JST + 24 * 3_600_000).toISOString(),
  ...overrides,
});
const speak = (id: string, overrides: object = {}) => ({
  id,
  kind: 'circular',
  title: '防災訓練のお知らせ',
  text: 'あ'.repeat(100),
  priority: 'high',
  acknowledgeable: true,
  ...overrides,
});

describe('SimulatedDevice connection', () => {
  it('connects with its id as client id and username, its password, a last will on up/status, says it is online and subscribes to its own down/#', async () => {
    const { device, broker } = setup('normal');
    device.start();
    await flush();
    const client = broker.last;
    expect(client.options).toMatchObject({ clientId: DEVICE, username: DEVICE, password: 'secret', clean: true });
    expect(client.options.will).toEqual({ topic: topics.uplink(ASSOCIATION, DEVICE, 'status'), payload: '{"online":false}', qos: 1, retain: false });
    expect(statusSchema.parse(JSON.parse(client.options.will.payload))).toEqual({ online: false });
    expect(broker.published[0]).toMatchObject({ topic: topics.uplink(ASSOCIATION, DEVICE, 'status'), message: { online: true } });
    expect(client.subscriptions).toEqual([`${topics.prefix(ASSOCIATION, DEVICE)}/down/#`]);
    expect(device.state).toBe('online');
    // A heartbeat straight away, in the protocol's shape.
    const [heartbeat] = broker.uplinks('heartbeat');
    expect(heartbeat?.message).toMatchObject({ seq: 1, power: expect.stringMatching(/^(mains|battery)$/), firmware: '1.0.0-sim', uptimeSeconds: 0 });
    const signal = heartbeat!.message.signal as number;
    expect(signal).toBeGreaterThanOrEqual(-90);
    expect(signal).toBeLessThanOrEqual(-40);
  });

  it('heartbeats every 60 s of real time divided by the speed, at least every second', async () => {
    const slow = setup('normal', { speed: 1 });
    slow.device.start();
    await slow.time.advance(10 * 60_000);
    expect(slow.broker.uplinks('heartbeat')).toHaveLength(11);
    const fast = setup('normal', { speed: 600 });
    fast.device.start();
    await fast.time.advance(10_000);
    expect(fast.broker.uplinks('heartbeat')).toHaveLength(11);
    const uptimes = fast.broker.uplinks('heartbeat').map((h) => h.message.uptimeSeconds);
    expect(uptimes.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('validates every message it sends against the protocol, counting seq from 1 within a boot', async () => {
    const { device, broker, time, make } = await started('normal', { speed: 60, startMs: MIDNIGHT_JST }, 9 * 60_000); // 09:00 simulated
    broker.last.deliver('prompt', prompt('p-1'));
    broker.last.deliver('speak', speak('m-1'));
    await time.advance(15 * 60_000); // to the next midnight
    const envelopes = broker.published.filter((p) => p.kind !== 'status');
    expectAllValid(broker.published);
    expect(new Set(envelopes.map((p) => p.kind))).toEqual(new Set(['heartbeat', 'activity', 'played', 'ack', 'answer']));
    expect(new Set(envelopes.map((p) => p.message.bootId))).toEqual(new Set([device.bootId]));
    expect(envelopes.map((p) => p.message.seq)).toEqual(envelopes.map((_, i) => i + 1));
    for (const p of envelopes) expect(Math.abs(Date.parse(p.message.ts as string) - p.at)).toBeLessThan(1); // real time, not simulated

    // The process restarts: a new boot id, and seq starts again.
    await device.stop();
    const before = broker.published.length;
    const restarted = make();
    restarted.start();
    await time.advance(3000);
    const after = broker.published.slice(before).filter((p) => p.kind !== 'status');
    expect(restarted.bootId).not.toBe(device.bootId);
    expect(after[0]?.message).toMatchObject({ bootId: restarted.bootId, seq: 1 });
    expect(after.map((p) => p.message.seq)).toEqual(after.map((_, i) => i + 1));
    expectAllValid(broker.published.slice(before));
  });

  it('stops with a clean disconnect (no last will) and then sends nothing', async () => {
    const { device, broker, time } = await started('normal', {}, 1000);
    const before = broker.published.length;
    await device.stop();
    expect(broker.published).toHaveLength(before);
    expect(broker.last.ended).toBe(true);
    expect(broker.last.dropped).toBe(false);
    const count = broker.published.length;
    await time.advance(3_600_000);
    expect(broker.published).toHaveLength(count);
  });

  it('rotates once when the broker refuses a kept password, then connects with the new one', async () => {
    let renewals = 0;
    const { device, broker, time } = setup('normal', {
      password: 'stale',
      renewPassword: async () => {
        renewals++;
        broker.passwords.set(DEVICE, 'fresh');
        return 'fresh';
      },
    });
    device.start();
    await time.advance(100);
    expect(renewals).toBe(1);
    expect(broker.clients).toHaveLength(2);
    expect(broker.clients[0]!.dropped).toBe(true);
    expect(broker.last.options.password).toBe('fresh');
    expect(device.state).toBe('online');
  });

  it('gives up after one rotation that does not help', async () => {
    let renewals = 0;
    const { device, broker, events } = await started('normal', { password: 'stale', renewPassword: async () => (renewals++, 'still-wrong') });
    expect(renewals).toBe(1);
    expect(broker.clients).toHaveLength(2);
    expect(device.state).toBe('failed');
    expect(events.some((e) => e.level === 'warn' && /giving up/.test(e.message))).toBe(true);
  });

  it('ignores downlinks that are not JSON, do not match their schema or are not its own', async () => {
    const { broker, time, events } = await started('normal');
    const count = broker.published.length;
    broker.last.deliver('prompt', null, '{not json');
    broker.last.deliver('prompt', { id: 'p-x', kind: 'watch' });
    broker.last.deliver('speak', speak('m-x', { priority: 'urgent' }));
    broker.last.deliverOn(`${topics.prefix(ASSOCIATION, 'another-device')}/down/prompt`, prompt('p-y'));
    await time.advance(120_000);
    expect(broker.published.filter((p) => p.kind === 'answer' || p.kind === 'played')).toHaveLength(0);
    expect(events.filter((e) => e.level === 'warn')).toHaveLength(4);
    expect(broker.published.length).toBeGreaterThan(count); // still heartbeating
  });
});

describe('a normal resident', () => {
  it('answers a prompt with safe after 5–60 s, once even if the prompt arrives twice', async () => {
    const { device, broker, time } = await started('normal');
    broker.last.deliver('prompt', prompt('p-1'));
    broker.last.deliver('prompt', prompt('p-1'));
    await time.advance(4900);
    expect(broker.uplinks('answer')).toHaveLength(0);
    await time.advance(56_000);
    expect(broker.uplinks('answer').map((a) => a.message)).toEqual([expect.objectContaining({ promptId: 'p-1', button: 'safe' })]);
    broker.last.deliver('prompt', prompt('p-1'));
    await time.advance(120_000);
    expect(broker.uplinks('answer')).toHaveLength(1);
    expect(device.stats).toMatchObject({ promptsReceived: 1, promptsAnswered: 1 });
  });

  it('scales response times by the speed', async () => {
    const { broker, time } = await started('normal', { speed: 60 });
    broker.last.deliver('prompt', prompt('p-1'));
    await time.advance(1001); // 60 simulated seconds
    expect(broker.uplinks('answer')).toHaveLength(1);
  });

  it('reads a speak aloud once and acknowledges it once, even if it arrives twice', async () => {
    // random() = 0.5: the 90% acknowledgement happens
    const { device, broker, time } = await started('normal', { random: () => 0.5 });
    broker.last.deliver('speak', speak('m-1'));
    await time.advance(4800); // 100 characters take 5 s to read
    expect(broker.uplinks('played')).toHaveLength(0);
    broker.last.deliver('speak', speak('m-1'));
    await time.advance(300);
    expect(broker.uplinks('played').map((p) => p.message.messageId)).toEqual(['m-1']);
    await time.advance(30_000);
    broker.last.deliver('speak', speak('m-1'));
    await time.advance(60_000);
    expect(broker.uplinks('played')).toHaveLength(1);
    expect(broker.uplinks('ack').map((p) => p.message)).toEqual([expect.objectContaining({ messageId: 'm-1' })]);
    expect(device.stats).toMatchObject({ speaksHeard: 1, played: 1, acks: 1 });
    expectAllValid(broker.published);
  });

  it('plays a speak that is not acknowledgeable without acknowledging it', async () => {
    const { broker, time } = await started('normal', { random: () => 0.5 });
    broker.last.deliver('speak', speak('m-2', { acknowledgeable: false, kind: 'reminder' }));
    await time.advance(120_000);
    expect(broker.uplinks('played')).toHaveLength(1);
    expect(broker.uplinks('ack')).toHaveLength(0);
  });

  it('is active by day and asleep at night', async () => {
    const { broker } = await started('normal', { speed: 60, startMs: MIDNIGHT_JST }, 24 * 60_000); // one simulated day
    const activity = broker.uplinks('activity').map((p) => ({ type: p.message.type, count: p.message.count as number, hour: jstHour(new Date(MIDNIGHT_JST + (p.at - MIDNIGHT_JST) * 60)) }));
    const presence = activity.filter((a) => a.type === 'presence');
    const night = presence.filter((a) => a.hour < 5);
    const day = presence.filter((a) => a.hour >= 7 && a.hour < 21);
    expect(day.length).toBeGreaterThan(140);
    expect(night.length).toBeLessThan(6);
    expect(activity.filter((a) => a.type !== 'presence' && (a.hour < 5.5 || a.hour >= 22.5))).toHaveLength(0);
    const busiest = (from: number, to: number) => presence.filter((a) => a.hour >= from && a.hour < to).reduce((sum, a) => sum + a.count, 0);
    expect(busiest(18, 19)).toBeGreaterThan(busiest(14, 15)); // dinner busier than the nap
    expectAllValid(broker.published);
  });
});

describe('scenarios', () => {
  it('silent: heartbeats go on, but no activity, no answers and no acknowledgements', async () => {
    const { device, broker, time, events } = await started('silent', { speed: 60, startMs: MIDNIGHT_JST, random: () => 0.5 }, 9 * 60_000);
    broker.last.deliver('prompt', prompt('p-1'));
    broker.last.deliver('speak', speak('m-1'));
    await time.advance(15 * 60_000);
    expect(broker.uplinks('heartbeat').length).toBeGreaterThan(1400);
    expect(broker.uplinks('activity')).toHaveLength(0);
    expect(broker.uplinks('answer')).toHaveLength(0);
    expect(broker.uplinks('ack')).toHaveLength(0);
    expect(broker.uplinks('played')).toHaveLength(1); // the speaker itself works
    expect(device.state).toBe('online');
    expect(events.some((e) => e.level === 'info' && /unanswered/.test(e.message))).toBe(true);
    expectAllValid(broker.published);
  });

  it('dead: a few heartbeats, then the socket drops without a DISCONNECT and nothing more', async () => {
    const { device, broker, time, events } = await started('dead', { speed: 60 }, 10_000);
    expect(device.state).toBe('dead');
    expect(broker.last.dropped).toBe(true);
    expect(broker.last.ended).toBe(false);
    const heartbeats = broker.uplinks('heartbeat').length;
    expect(heartbeats).toBeGreaterThanOrEqual(2);
    expect(heartbeats).toBeLessThanOrEqual(4);
    expect(events.some((e) => /dropped off/.test(e.message))).toBe(true);
    const count = broker.published.length;
    broker.last.deliver('prompt', prompt('p-1'));
    await time.advance(3_600_000);
    await device.stop();
    expect(broker.published).toHaveLength(count); // no goodbye either
    expect(broker.clients).toHaveLength(1); // never reconnects
    expect(broker.last.ended).toBe(false);
  });

  it('help: presses the help button once, 10 s after connecting, and otherwise behaves normally', async () => {
    const { device, broker, time, events } = await started('help', {}, HELP_AFTER_REAL_MS - 200);
    const helps = () => broker.uplinks('activity').filter((p) => p.message.type === 'button' && p.message.button === 'help');
    expect(helps()).toHaveLength(0);
    await time.advance(400);
    expect(helps()).toHaveLength(1);
    broker.last.deliver('prompt', prompt('p-1'));
    await time.advance(3_600_000);
    expect(helps()).toHaveLength(1);
    expect(broker.uplinks('answer').map((a) => a.message.button)).toEqual(['safe']);
    expect(device.stats.helpPressed).toBe(1);
    expect(events.some((e) => e.level === 'info' && /help/.test(e.message))).toBe(true);
    expectAllValid(broker.published);
  });

  it('late: answers and acknowledges only after 10–20 simulated minutes', async () => {
    const { broker, time } = await started('late', { speed: 60 });
    broker.last.deliver('prompt', prompt('p-1'));
    broker.last.deliver('speak', speak('m-1'));
    await time.advance(9_900); // 9.9 simulated minutes
    expect(broker.uplinks('answer')).toHaveLength(0);
    expect(broker.uplinks('ack')).toHaveLength(0);
    expect(broker.uplinks('played')).toHaveLength(1);
    await time.advance(11_000);
    expect(broker.uplinks('answer').map((a) => a.message)).toEqual([expect.objectContaining({ promptId: 'p-1', button: 'safe' })]);
    expect(broker.uplinks('ack')).toHaveLength(1);
    expectAllValid(broker.published);
  });

  it('late: a prompt that expires first is never answered (the device stopped asking)', async () => {
    const { broker, time } = await started('late');
    broker.last.deliver('prompt', prompt('p-1', { expiresAt: new Date(NINE_AM_JST + 5 * 60_000).toISOString() }));
    await time.advance(30 * 60_000);
    expect(broker.uplinks('answer')).toHaveLength(0);
  });

  it('never: activity goes on, but prompts and messages are never answered', async () => {
    const { device, broker, time } = await started('never', { random: () => 0.5 });
    broker.last.deliver('prompt', prompt('p-1'));
    broker.last.deliver('speak', speak('m-1'));
    await time.advance(3 * 3_600_000);
    expect(broker.uplinks('activity').length).toBeGreaterThan(0);
    expect(broker.uplinks('answer')).toHaveLength(0);
    expect(broker.uplinks('ack')).toHaveLength(0);
    expect(device.stats.promptsReceived).toBe(1);
    expectAllValid(broker.published);
  });
});
