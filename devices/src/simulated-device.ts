import { randomBytes } from 'node:crypto';
import {
  downlinkSchemas,
  parseTopic,
  statusSchema,
  topics,
  uplinkSchemas,
  type DeviceConfig,
  type DownlinkKind,
  type Prompt,
  type Speak,
  type UplinkKind,
} from './protocol.js';
import {
  between,
  happens,
  isAwakeHour,
  jstHour,
  jstTimestamp,
  PLAY_PER_AWAKE_HOUR,
  poisson,
  presenceRatePerMinute,
  VOICE_PER_AWAKE_HOUR,
  type Random,
  type SimulatedTime,
} from './simulator-patterns.js';

/**
 * One simulated speaker in a resident's home. It speaks the device protocol over an MQTT
 * client it is given (a real one in the simulator, an in-memory fake in the unit tests),
 * keeps time through an injected clock and timers, and draws every decision from an
 * injected random source, so a test can run a simulated day in milliseconds.
 */

export const scenarioNames = ['normal', 'silent', 'dead', 'help', 'late', 'never'] as const;
export type Scenario = (typeof scenarioNames)[number];

export const scenarioDescriptions: Record<Scenario, string> = {
  normal: 'daily activity, reads messages aloud, acknowledges them (90%) and answers prompts with 無事 (safe)',
  silent: 'connected and heartbeating, but the home is silent: no activity, no answers, no acknowledgements (a resident who has fallen)',
  dead: 'sends a few heartbeats, then drops off without a clean disconnect (the broker announces it offline by its last will) and stays away',
  help: 'normal, but presses the 助けて (help) button once, 10 seconds after it connects',
  late: 'normal activity, but answers prompts and acknowledges messages only after 10–20 simulated minutes',
  never: 'normal activity, but never answers prompts nor acknowledges messages',
};

export interface DeviceConnectOptions {
  clientId: string;
  username: string;
  password: string;
  clean: true;
  /** Seconds. */
  keepalive: number;
  will: { topic: string; payload: string; qos: 1; retain: false };
}

/** The part of an MQTT client a device needs. The simulator adapts mqtt.js to it. */
export interface DeviceMqttClient {
  onConnect(handler: () => void): void;
  onMessage(handler: (topic: string, payload: Buffer) => void): void;
  /** The connection closed (the client may reconnect by itself). */
  onClose(handler: () => void): void;
  /** `code` is the CONNACK return/reason code when the broker refused the connection. */
  onError(handler: (error: Error & { code?: number | string }) => void): void;
  /** QoS 1. Resolves when the broker has it. */
  publish(topic: string, payload: string): Promise<void>;
  /** QoS 1. */
  subscribe(topic: string): Promise<void>;
  /** A clean DISCONNECT: no last will. */
  end(): Promise<void>;
  /** Destroys the socket without a DISCONNECT (the broker fires the last will) and never reconnects. */
  drop(): void;
}

export type ConnectFn = (url: string, options: DeviceConnectOptions) => DeviceMqttClient;

export interface Clock {
  now(): Date;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type DeviceState = 'idle' | 'connecting' | 'online' | 'offline' | 'dead' | 'failed' | 'stopped';

export interface DeviceEvent {
  deviceId: string;
  label: string;
  scenario: Scenario;
  /** `debug` only with --verbose; `info` for what an operator should notice; `warn` for trouble. */
  level: 'debug' | 'info' | 'warn';
  message: string;
}

export interface DeviceStats {
  /** Every message published (status and envelope messages). */
  sent: number;
  heartbeats: number;
  activities: number;
  promptsReceived: number;
  promptsAnswered: number;
  /** Distinct `speak` messages heard. */
  speaksHeard: number;
  played: number;
  acks: number;
  helpPressed: number;
}

export interface SimulatedDeviceOptions {
  deviceId: string;
  associationId: string;
  password: string;
  mqttUrl: string;
  scenario: Scenario;
  /** For the log: the device's label or household. */
  label?: string;
  /** The accelerated clock that drives the residents. */
  time: SimulatedTime;
  connect: ConnectFn;
  clock: Clock;
  random: Random;
  timers?: Timers;
  onEvent?: (event: DeviceEvent) => void;
  /**
   * The broker refused the password: get a new one (rotate the credentials) or null to give
   * up. Asked at most once until the device has connected again.
   */
  renewPassword?: () => Promise<string | null>;
  /** Default: 16 random hex digits, new for every device object (every simulator start). */
  bootId?: string;
}

export const FIRMWARE = '1.0.0-sim';
/** Heartbeats are a keep-alive: every minute of real time, divided by the speed (at least every second). */
const HEARTBEAT_REAL_MS = 60_000;
/** The presence sensor reports the motion it counted every 5 simulated minutes (at most once a real second). */
const PRESENCE_REPORT_SIM_MS = 5 * 60_000;
/** The help button is pressed this long (real time) after the first connection. */
export const HELP_AFTER_REAL_MS = 10_000;
const ACK_PROBABILITY = 0.9;
const MAX_REMEMBERED_IDS = 1000;
/** CONNACK codes that mean "wrong password": 3.1.1 (4 bad username or password, 5 not authorized) and 5.0 (0x86, 0x87). */
const REFUSED_CODES = new Set<number | string>([4, 5, 134, 135]);

export class SimulatedDevice {
  readonly deviceId: string;
  readonly associationId: string;
  readonly scenario: Scenario;
  readonly label: string;
  readonly bootId: string;
  readonly stats: DeviceStats = {
    sent: 0, heartbeats: 0, activities: 0, promptsReceived: 0, promptsAnswered: 0, speaksHeard: 0, played: 0, acks: 0, helpPressed: 0,
  };
  private stateValue: DeviceState = 'idle';
  private seq = 0;
  private password: string;
  private client?: DeviceMqttClient;
  private everConnected = false;
  private renewing = false;
  private renewedSinceConnect = false;
  private lastErrorMessage = '';
  private readonly bootedAt: Date;
  private readonly timers: Timers;
  private readonly pending = new Set<unknown>();
  private readonly heardSpeaks = new Set<string>();
  private readonly seenPrompts = new Set<string>();
  private lastActivitySim?: Date;
  private lastBatterySim?: Date;
  // The home and the resident, drawn once per device.
  private readonly power: 'mains' | 'battery';
  private battery: number | null;
  private readonly batteryDrainPerSimHour: number;
  private readonly signalBase: number;
  private readonly activityLevel: number;
  /** Hours this resident's day is shifted from the average (an early riser is negative). */
  private readonly dayShift: number;
  /** A `dead` device drops off after this many heartbeats. */
  private readonly heartbeatsBeforeDeath: number;

  constructor(private readonly options: SimulatedDeviceOptions) {
    const { random } = options;
    this.deviceId = options.deviceId;
    this.associationId = options.associationId;
    this.scenario = options.scenario;
    this.label = options.label ?? options.deviceId;
    this.password = options.password;
    this.timers = options.timers ?? realTimers;
    // Not from `random`: a seeded run restarted must still announce a new boot.
    this.bootId = options.bootId ?? randomBytes(8).toString('hex');
    this.bootedAt = options.clock.now();
    this.power = random() < 0.12 ? 'battery' : 'mains';
    this.battery = this.power === 'battery' ? Math.round(between(random, 55, 100)) : null;
    this.batteryDrainPerSimHour = between(random, 0.3, 1);
    this.signalBase = Math.round(between(random, -85, -45));
    this.activityLevel = between(random, 0.6, 1.4);
    this.dayShift = between(random, -0.5, 0.5);
    this.heartbeatsBeforeDeath = 2 + Math.floor(random() * 3);
  }

  get state(): DeviceState {
    return this.stateValue;
  }

  /** The last connection error since the device was last connected ('' if none). */
  get lastError(): string {
    return this.lastErrorMessage;
  }

  get online(): boolean {
    return this.stateValue === 'online';
  }

  /** Connects; everything else follows from the first CONNACK. */
  start(): void {
    if (this.stateValue !== 'idle') return;
    this.openConnection();
  }

  /**
   * A clean MQTT DISCONNECT, so the broker does not publish the last will (nor does the
   * device publish `online: false`): the server notices the silence by its own rules. A dead
   * device is already gone and stays so.
   */
  async stop(): Promise<void> {
    const previous = this.stateValue;
    if (previous === 'stopped') return;
    this.clearAll();
    this.stateValue = 'stopped';
    const client = this.client;
    if (previous === 'dead' || previous === 'failed' || !client) return;
    await withTimeout(client.end(), 3000).catch(() => undefined);
  }

  // ── Connection ────────────────────────────────────────────────────────────────────────

  private openConnection(): void {
    this.stateValue = 'connecting';
    const client = this.options.connect(this.options.mqttUrl, {
      // Brokers accept a device only with its own id as client id (docs/device-protocol.md).
      clientId: this.deviceId,
      username: this.deviceId,
      password: this.password,
      clean: true,
      keepalive: 60,
      will: { topic: this.topic('status'), payload: JSON.stringify(statusSchema.parse({ online: false })), qos: 1, retain: false },
    });
    this.client = client;
    client.onConnect(() => this.handleConnect(client));
    client.onMessage((topic, payload) => {
      if (this.client === client) this.handleMessage(topic, payload);
    });
    client.onClose(() => {
      if (this.client !== client || this.stateValue !== 'online') return;
      this.stateValue = 'offline';
      this.emit('debug', 'connection lost; reconnecting');
    });
    client.onError((error) => this.handleError(client, error));
  }

  private handleConnect(client: DeviceMqttClient): void {
    if (this.client !== client || this.stateValue === 'stopped' || this.stateValue === 'dead') return;
    const first = !this.everConnected;
    this.everConnected = true;
    this.renewedSinceConnect = false;
    this.lastErrorMessage = '';
    this.stateValue = 'online';
    this.publishRaw(client, 'status', { online: true }).catch((error: unknown) => this.emit('debug', `status not published: ${String(error)}`));
    client.subscribe(`${topics.prefix(this.associationId, this.deviceId)}/down/#`).catch((error: unknown) => this.emit('warn', `subscription refused: ${errorText(error)}`));
    if (!first) {
      this.emit('debug', 'reconnected');
      return;
    }
    this.emit('debug', `connected (${this.power}${this.battery !== null ? ` ${this.battery}%` : ''}, signal ≈${this.signalBase} dBm)`);
    this.heartbeat();
    if (this.scenario !== 'silent') {
      this.lastActivitySim = this.simNow();
      // Devices report out of step with one another.
      this.later(this.options.random() * this.presenceIntervalMs(), () => this.activityTick());
    }
    if (this.scenario === 'help') this.later(HELP_AFTER_REAL_MS, () => this.pressHelp());
  }

  private handleError(client: DeviceMqttClient, error: Error & { code?: number | string }): void {
    if (this.client !== client || this.stateValue === 'stopped' || this.stateValue === 'dead') return;
    if (error.code !== undefined && REFUSED_CODES.has(error.code)) {
      client.drop();
      void this.renewAfterRefusal(error.message);
      return;
    }
    // Broker unreachable and the like: mqtt.js keeps reconnecting. The simulator's status
    // line shows the last error of a disconnected device.
    if (error.message !== this.lastErrorMessage) {
      this.lastErrorMessage = error.message;
      this.emit('debug', `MQTT: ${error.message}`);
    }
  }

  private async renewAfterRefusal(reason: string): Promise<void> {
    if (this.renewing) return;
    if (this.renewedSinceConnect || !this.options.renewPassword) {
      this.stateValue = 'failed';
      this.emit('warn', `the broker refused the password (${reason}); giving up on this device`);
      return;
    }
    this.renewing = true;
    this.renewedSinceConnect = true;
    this.emit('info', `the broker refused the password (${reason}); rotating the credentials once`);
    try {
      const password = await this.options.renewPassword();
      if (this.stateValue === 'stopped') return;
      if (!password) {
        this.stateValue = 'failed';
        this.emit('warn', 'no new password; giving up on this device');
        return;
      }
      this.password = password;
      this.openConnection();
    } catch (error) {
      this.stateValue = 'failed';
      this.emit('warn', `rotating the credentials failed: ${errorText(error)}`);
    } finally {
      this.renewing = false;
    }
  }

  /** The socket goes without a goodbye; the broker publishes the last will. */
  private die(): void {
    this.clearAll();
    this.stateValue = 'dead';
    this.client?.drop();
    this.emit('info', `scenario dead: dropped off without a clean disconnect after ${this.stats.heartbeats} heartbeats (the broker announces it offline by its last will); it stays away`);
  }

  // ── Uplinks ───────────────────────────────────────────────────────────────────────────

  private topic(kind: UplinkKind): string {
    return topics.uplink(this.associationId, this.deviceId, kind);
  }

  private envelope() {
    return { bootId: this.bootId, seq: ++this.seq, ts: jstTimestamp(this.options.clock.now()) };
  }

  /** Validates against the protocol schema and publishes (QoS 1). */
  private publishRaw(client: DeviceMqttClient, kind: UplinkKind, message: unknown): Promise<void> {
    const payload = uplinkSchemas[kind].parse(message);
    this.stats.sent++;
    return client.publish(this.topic(kind), JSON.stringify(payload));
  }

  /** An envelope message (with the next seq), unless the device has no client. */
  private send(kind: Exclude<UplinkKind, 'status'>, body: Record<string, unknown>): void {
    const client = this.client;
    if (!client || this.stateValue === 'dead' || this.stateValue === 'stopped' || this.stateValue === 'failed') return;
    this.publishRaw(client, kind, { ...this.envelope(), ...body }).catch((error: unknown) =>
      this.emit('debug', `${kind} not delivered: ${errorText(error)}`),
    );
  }

  private heartbeat(): void {
    // A keep-alive is only worth sending while connected; it is not queued.
    if (this.stateValue === 'online') {
      this.send('heartbeat', {
        uptimeSeconds: Math.floor((this.options.clock.now().getTime() - this.bootedAt.getTime()) / 1000),
        power: this.power,
        battery: this.readBattery(),
        signal: Math.max(-90, Math.min(-40, Math.round(this.signalBase + between(this.options.random, -4, 4)))),
        firmware: FIRMWARE,
      });
      this.stats.heartbeats++;
    }
    if (this.scenario === 'dead' && this.stats.heartbeats >= this.heartbeatsBeforeDeath) {
      this.die();
      return;
    }
    this.later(Math.max(1000, HEARTBEAT_REAL_MS / this.options.time.speed), () => this.heartbeat());
  }

  /** Battery devices drain slowly with simulated time; someone plugs them in when low. */
  private readBattery(): number | null {
    if (this.battery === null) return null;
    const now = this.simNow();
    const hours = this.lastBatterySim ? (now.getTime() - this.lastBatterySim.getTime()) / 3_600_000 : 0;
    this.lastBatterySim = now;
    this.battery -= hours * this.batteryDrainPerSimHour;
    if (this.battery < 5) {
      this.battery = 100;
      this.emit('debug', 'battery recharged');
    }
    return Math.round(this.battery * 10) / 10;
  }

  private presenceIntervalMs(): number {
    return Math.max(1000, this.options.time.realMs(PRESENCE_REPORT_SIM_MS));
  }

  /** What happened in the home since the last report, by the hour of the (simulated) day. */
  private activityTick(): void {
    const now = this.simNow();
    const since = this.lastActivitySim ?? now;
    this.lastActivitySim = now;
    const minutes = Math.max(0, (now.getTime() - since.getTime()) / 60_000);
    const hour = (jstHour(new Date(now.getTime() - minutes * 30_000)) - this.dayShift + 24) % 24;
    if (this.stateValue === 'online' && minutes > 0) {
      const { random } = this.options;
      const count = poisson(presenceRatePerMinute(hour) * this.activityLevel * minutes, random);
      if (count > 0) this.activity({ type: 'presence', count: Math.min(count, 10_000) });
      if (isAwakeHour(hour)) {
        if (happens(VOICE_PER_AWAKE_HOUR * this.activityLevel, minutes / 60, random)) this.activity({ type: 'voice' });
        if (happens(PLAY_PER_AWAKE_HOUR, minutes / 60, random)) this.activity({ type: 'button', button: 'play' });
      }
    }
    this.later(this.presenceIntervalMs(), () => this.activityTick());
  }

  private activity(body: { type: 'presence'; count: number } | { type: 'voice' } | { type: 'button'; button: 'safe' | 'help' | 'play' }): void {
    this.send('activity', body);
    this.stats.activities++;
  }

  private pressHelp(): void {
    this.activity({ type: 'button', button: 'help' });
    this.stats.helpPressed++;
    this.emit('info', 'scenario help: the resident pressed the 助けて (help) button');
  }

  // ── Downlinks ─────────────────────────────────────────────────────────────────────────

  private handleMessage(topic: string, payload: Buffer): void {
    if (this.stateValue === 'dead' || this.stateValue === 'stopped') return;
    const parsed = parseTopic(topic);
    if (!parsed || parsed.direction !== 'down' || parsed.deviceId !== this.deviceId || !(parsed.kind in downlinkSchemas)) {
      this.emit('warn', `ignored a message on ${topic}`);
      return;
    }
    const kind = parsed.kind as DownlinkKind;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.emit('warn', `ignored a ${kind} that is not JSON`);
      return;
    }
    const result = downlinkSchemas[kind].safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0];
      this.emit('warn', `ignored an invalid ${kind}: ${issue ? `${issue.path.join('.') || 'payload'}: ${issue.message}` : 'invalid'}`);
      return;
    }
    if (kind === 'speak') this.onSpeak(result.data as Speak);
    else if (kind === 'prompt') this.onPrompt(result.data as Prompt);
    else this.onConfig(result.data as DeviceConfig);
  }

  /** Reads the message aloud once (a repeated id is ignored), then perhaps someone presses 既読. */
  private onSpeak(speak: Speak): void {
    if (!remember(this.heardSpeaks, speak.id)) {
      this.emit('debug', `speak ${speak.id} arrived again; already read, ignored`);
      return;
    }
    this.stats.speaksHeard++;
    this.emit('debug', `speak (${speak.kind}, ${speak.priority}): ${speak.title}`);
    const readingMs = this.options.time.realMs(Math.min(20_000, 50 * speak.text.length));
    this.later(readingMs, () => {
      this.send('played', { messageId: speak.id });
      this.stats.played++;
      if (!speak.acknowledgeable) return;
      const delay = this.responseDelay(2_000, 30_000);
      if (delay === null) {
        this.emit('debug', `scenario ${this.scenario}: nobody acknowledges ${speak.id}`);
        return;
      }
      if (this.scenario !== 'late' && this.options.random() >= ACK_PROBABILITY) {
        this.emit('debug', `nobody pressed 既読 for ${speak.id}`);
        return;
      }
      this.later(delay, () => {
        this.send('ack', { messageId: speak.id });
        this.stats.acks++;
        if (this.scenario === 'late') this.emit('info', `scenario late: acknowledged "${speak.title}" at last`);
      });
    });
  }

  /** Answers a watch check or drill with 無事 (safe), or not, by scenario. */
  private onPrompt(prompt: Prompt): void {
    if (!remember(this.seenPrompts, prompt.id)) {
      this.emit('debug', `prompt ${prompt.id} arrived again; ignored`);
      return;
    }
    this.stats.promptsReceived++;
    const delay = this.responseDelay(5_000, 60_000);
    if (delay === null) {
      this.emit('info', `scenario ${this.scenario}: ${prompt.kind} prompt "${prompt.text.slice(0, 40)}" goes unanswered`);
      return;
    }
    if (!prompt.buttons.includes('safe')) {
      this.emit('warn', `${prompt.kind} prompt ${prompt.id} offers no safe button; not answered`);
      return;
    }
    this.emit('debug', `${prompt.kind} prompt ${prompt.id}: answering in ${Math.round(delay / 1000)} s`);
    this.later(delay, () => {
      if (this.options.clock.now().getTime() > Date.parse(prompt.expiresAt)) {
        this.emit('info', `the ${prompt.kind} prompt ${prompt.id} expired before the resident answered; the device stopped asking`);
        return;
      }
      this.send('answer', { promptId: prompt.id, promptKind: prompt.kind, button: 'safe' });
      this.stats.promptsAnswered++;
      if (this.scenario === 'late') this.emit('info', `scenario late: answered the ${prompt.kind} prompt with 無事 (safe) at last`);
    });
  }

  private onConfig(config: DeviceConfig): void {
    const quiet = config.quietHours ? `, quiet ${config.quietHours.start}–${config.quietHours.end}` : '';
    this.emit('info', `config: heartbeat every ${config.heartbeatSeconds} s${quiet}`);
  }

  /**
   * Real milliseconds until the resident responds: `min`–`max` simulated ms for a normal
   * resident, 10–20 simulated minutes for a late one, null for one who never does.
   */
  private responseDelay(min: number, max: number): number | null {
    const { random, time } = this.options;
    switch (this.scenario) {
      case 'silent':
      case 'never':
        return null;
      case 'late':
        return time.realMs(between(random, 10 * 60_000, 20 * 60_000));
      default:
        return time.realMs(between(random, min, max));
    }
  }

  // ── Time ──────────────────────────────────────────────────────────────────────────────

  private simNow(): Date {
    return this.options.time.at(this.options.clock.now());
  }

  private later(ms: number, fn: () => void): void {
    const handle = this.timers.setTimeout(() => {
      this.pending.delete(handle);
      fn();
    }, ms);
    this.pending.add(handle);
  }

  private clearAll(): void {
    for (const handle of this.pending) this.timers.clearTimeout(handle);
    this.pending.clear();
  }

  private emit(level: DeviceEvent['level'], message: string): void {
    this.options.onEvent?.({ deviceId: this.deviceId, label: this.label, scenario: this.scenario, level, message });
  }
}

/** Adds `id`; false if it was already there. Keeps the most recent ids only. */
function remember(ids: Set<string>, id: string): boolean {
  if (ids.has(id)) return false;
  ids.add(id);
  if (ids.size > MAX_REMEMBERED_IDS) ids.delete(ids.values().next().value!);
  return true;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
