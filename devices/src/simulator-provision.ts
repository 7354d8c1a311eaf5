import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseTopic, TOPIC_ROOT } from './protocol.js';

/**
 * Getting the simulator's devices and their MQTT passwords from tonari, as an officer:
 * log in, list the association's devices, rotate the password of each existing one the
 * simulator has not kept, register more for households without a speaker, and keep the
 * passwords in a file so the next run need not rotate again.
 */

// Only the fields the simulator needs; tonari may send more.
const sessionSchema = z.object({
  csrfToken: z.string(),
  association: z.object({ id: z.string(), name: z.string() }),
  person: z.object({ name: z.string() }),
  roles: z.object({ officer: z.boolean() }),
});
const deviceSchema = z.object({
  id: z.string(),
  label: z.string(),
  householdId: z.string().nullable(),
  householdName: z.string().nullable().optional(),
  revoked: z.boolean(),
});
const deviceListSchema = z.object({ items: z.array(deviceSchema) });
const householdSchema = z.object({ id: z.string(), name: z.string(), channels: z.array(z.string()).optional() });
const householdListSchema = z.object({ items: z.array(householdSchema), total: z.number().optional() });
const credentialsResponseSchema = z.object({
  device: deviceSchema,
  credentials: z.object({ username: z.string(), password: z.string(), mqttUrl: z.string(), topicPrefix: z.string() }),
});
const asyncApiSchema = z.object({ servers: z.record(z.string(), z.object({ host: z.string(), protocol: z.string() })) });

export type DeviceListing = z.infer<typeof deviceSchema>;
export type HouseholdListing = z.infer<typeof householdSchema>;
export type Session = z.infer<typeof sessionSchema>;
export type CredentialsResponse = z.infer<typeof credentialsResponseSchema>;

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** tonari's HTTP API with an officer's session (cookie and CSRF token). */
export class TonariApi {
  private cookie = '';
  private csrfToken = '';

  constructor(readonly baseUrl: string) {}

  async login(identifier: string, password: string): Promise<Session> {
    const response = await this.request('POST', '/api/auth/login', { identifier, password });
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('tonari_session='));
    if (!cookie) throw new ApiError('tonari did not set a session cookie', response.status);
    this.cookie = cookie.split(';')[0]!;
    const session = sessionSchema.parse(await response.json());
    this.csrfToken = session.csrfToken;
    return session;
  }

  async listDevices(): Promise<DeviceListing[]> {
    return deviceListSchema.parse(await (await this.request('GET', '/api/devices')).json()).items;
  }

  /** Every household the officer can see, 500 at a time. */
  async listHouseholds(): Promise<HouseholdListing[]> {
    const all: HouseholdListing[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = householdListSchema.parse(await (await this.request('GET', `/api/households?limit=500&offset=${offset}`)).json());
      all.push(...page.items);
      if (page.items.length < 500 || (page.total !== undefined && all.length >= page.total)) return all;
    }
  }

  async registerDevice(label: string, householdId: string): Promise<CredentialsResponse> {
    return credentialsResponseSchema.parse(await (await this.request('POST', '/api/devices', { label, householdId })).json());
  }

  async rotateCredentials(deviceId: string): Promise<CredentialsResponse> {
    return credentialsResponseSchema.parse(await (await this.request('POST', `/api/devices/${encodeURIComponent(deviceId)}/credentials`)).json());
  }

  /** The broker's address from the AsyncAPI document, for when no credentials were issued this run. */
  async brokerUrl(): Promise<string | null> {
    const document = asyncApiSchema.safeParse(await (await this.request('GET', '/api/asyncapi.json')).json());
    const server = document.success ? Object.values(document.data.servers)[0] : undefined;
    return server ? `${server.protocol}://${server.host}` : null;
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.cookie) headers.cookie = this.cookie;
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(`cannot reach tonari at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message}); is it running?`, 0);
    }
    if (!response.ok) {
      let message = `${method} ${path}: HTTP ${response.status}`;
      try {
        const json = (await response.json()) as { error?: { message?: string } };
        if (json.error?.message) message += `: ${json.error.message}`;
      } catch {
        // not JSON
      }
      throw new ApiError(message, response.status);
    }
    return response;
  }
}

// ── The credentials file ──────────────────────────────────────────────────────────────

export interface CachedDevice {
  password: string;
  associationId: string;
  householdId: string | null;
}
export type CredentialsCache = Record<string, CachedDevice>;

const cacheSchema = z.record(z.string(), z.object({ password: z.string().min(1), associationId: z.string().min(1), householdId: z.string().nullable() }));

/** The kept passwords; an absent file is an empty cache, an unreadable one is reported and ignored. */
export async function loadCredentials(file: string, warn: (message: string) => void): Promise<CredentialsCache> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    return cacheSchema.parse(JSON.parse(text));
  } catch {
    warn(`${file} is not a credentials file the simulator wrote; ignoring it (devices will get new passwords)`);
    return {};
  }
}

/** Written whole to a temporary file and renamed, readable by the owner only (it holds passwords). */
export async function saveCredentials(file: string, cache: CredentialsCache): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(cache, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

/** The association id from a topic prefix `tonari/{associationId}/{deviceId}`. */
export function associationFromTopicPrefix(prefix: string): string {
  const parsed = parseTopic(`${prefix}/up/status`);
  if (!parsed || !prefix.startsWith(`${TOPIC_ROOT}/`)) throw new Error(`unexpected topic prefix "${prefix}"`);
  return parsed.associationId;
}

// ── Choosing devices ──────────────────────────────────────────────────────────────────

export const SIMULATOR_LABEL = 'シミュレーター';

export interface DevicePlan {
  /** Existing devices to use, those with kept passwords first. */
  existing: DeviceListing[];
  /** Households to register a new device for. */
  register: { householdId: string; householdName: string; label: string }[];
  /** How many devices short of the count (no households left without a speaker). */
  shortBy: number;
}

/**
 * Which devices to run: live devices with a household first (those whose password the
 * simulator kept before the rest, so a re-run rotates nothing), then new ones for households
 * without a device (households that chose the speaker channel first).
 */
export function planDevices(devices: DeviceListing[], households: HouseholdListing[] | null, cache: CredentialsCache, count: number): DevicePlan {
  const usable = devices
    .filter((d) => !d.revoked && d.householdId)
    .sort((a, b) => Number(!!cache[b.id]) - Number(!!cache[a.id]) || a.label.localeCompare(b.label, 'ja') || a.id.localeCompare(b.id));
  const existing = usable.slice(0, count);
  const needed = count - existing.length;
  if (needed <= 0 || !households) return { existing, register: [], shortBy: Math.max(0, needed) };
  const equipped = new Set(devices.filter((d) => !d.revoked && d.householdId).map((d) => d.householdId));
  const free = households
    .filter((h) => !equipped.has(h.id))
    .sort((a, b) => Number(!!b.channels?.includes('speaker')) - Number(!!a.channels?.includes('speaker')));
  let next = 1 + Math.max(0, ...devices.map((d) => simulatorNumber(d.label)));
  const register = free.slice(0, needed).map((h) => ({ householdId: h.id, householdName: h.name, label: `${SIMULATOR_LABEL} ${String(next++).padStart(2, '0')}` }));
  return { existing, register, shortBy: needed - register.length };
}

function simulatorNumber(label: string): number {
  const match = new RegExp(`^${SIMULATOR_LABEL} (\\d+)$`).exec(label);
  return match ? Number(match[1]) : 0;
}

export interface ProvisionedDevice {
  deviceId: string;
  label: string;
  householdId: string | null;
  householdName: string | null;
  associationId: string;
  password: string;
}

/**
 * Passwords for the planned devices: kept ones as they are, a rotation for the others,
 * a registration for new ones. The file is saved after every change, so an interrupted
 * run loses nothing. Returns the MQTT URL tonari gave with any credentials it issued.
 */
export async function provisionDevices(
  api: Pick<TonariApi, 'registerDevice' | 'rotateCredentials'>,
  plan: DevicePlan,
  cache: CredentialsCache,
  associationId: string,
  save: (cache: CredentialsCache) => Promise<void>,
  progress: (message: string) => void,
): Promise<{ devices: ProvisionedDevice[]; mqttUrl: string | null }> {
  let mqttUrl: string | null = null;
  const devices: ProvisionedDevice[] = [];
  const keep = async (response: CredentialsResponse) => {
    mqttUrl = response.credentials.mqttUrl;
    const entry: CachedDevice = {
      password: response.credentials.password,
      associationId: associationFromTopicPrefix(response.credentials.topicPrefix),
      householdId: response.device.householdId,
    };
    cache[response.device.id] = entry;
    await save(cache);
    return entry;
  };
  let rotated = 0;
  for (const device of plan.existing) {
    let entry = cache[device.id];
    if (!entry || entry.associationId !== associationId) {
      entry = await keep(await api.rotateCredentials(device.id));
      rotated++;
    }
    devices.push({ deviceId: device.id, label: device.label, householdId: device.householdId, householdName: device.householdName ?? null, associationId: entry.associationId, password: entry.password });
  }
  const kept = plan.existing.length - rotated;
  if (kept) progress(`using the kept passwords of ${kept} device(s) from the credentials file`);
  if (rotated) progress(`rotated the passwords of ${rotated} existing device(s) (kept for next time)`);
  for (const item of plan.register) {
    const response = await api.registerDevice(item.label, item.householdId);
    const entry = await keep(response);
    devices.push({ deviceId: response.device.id, label: response.device.label, householdId: item.householdId, householdName: item.householdName, associationId: entry.associationId, password: entry.password });
  }
  if (plan.register.length) progress(`registered ${plan.register.length} new device(s) labelled "${SIMULATOR_LABEL} NN"`);
  return { devices, mqttUrl };
}
