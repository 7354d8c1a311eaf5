import type {
  BlockView,
  CreateHouseholdRequest,
  CreatePersonRequest,
  DeviceCredentials,
  DeviceView,
  ErrorResponse,
  HouseholdDetail,
  HouseholdList,
  JoinLookupResponse,
  JoinRequest,
  LoginRequest,
  PasscodeSheet,
  PersonView,
  RosterImportResult,
  SessionView,
  UpdateHouseholdRequest,
  UpdatePersonRequest,
} from '../../server/src/contracts/http.js';
import type {
  Answer,
  CircularDetail,
  CircularInput,
  CircularList,
  PrintSheet,
  Progress,
  Task,
  UnreadList,
} from '../../server/src/contracts/circulars.js';
import type { Alert, HouseholdWatch, WatchedHousehold, WatchSettingsUpdate } from '../../server/src/contracts/watch.js';
import type { Dashboard, DrillReport, DrillSummary, MyDrill, StartDrill, TargetView } from '../../server/src/contracts/drills.js';

import { retryPending, setApiReachable } from './connection.js';

export type Language = SessionView['person']['preferredLanguage'];

/** An error answer from the API (or a network failure, status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly issues: { field: string; message: string }[];

  constructor(status: number, code: string, message: string, field?: string, issues?: { field: string; message: string }[]) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.issues = issues ?? [];
  }
}

let csrfToken: string | null = null;

/** Set from SessionView.csrfToken after login / session load; cleared on logout. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

let unauthorizedHandler: (() => void) | null = null;

/** Called when an authenticated request answers 401 (the session expired or was ended elsewhere). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

/** Endpoints whose 401 is an expected answer, not an expired session. */
const UNAUTHENTICATED_PATHS = ['/api/auth/login', '/api/session', '/api/join', '/api/join/lookup', '/api/auth/logout'];

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  /** Raw body (e.g. a CSV file); sent as is with the given content type. */
  raw?: { body: Blob; contentType: string };
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
  /** Sent as Idempotency-Key: the same for every retry of one user action. */
  idempotencyKey?: string;
}

function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function isErrorResponse(value: unknown): value is ErrorResponse {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}

export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.raw) {
    headers['Content-Type'] = options.raw.contentType;
    body = options.raw.body;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;

  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    setApiReachable(false);
    throw new ApiError(0, 'network', cause instanceof Error ? cause.message : String(cause));
  }
  // 503: the server is up but its database is away for now (it says when to retry).
  setApiReachable(response.status !== 503);

  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    if (response.status === 401 && !UNAUTHENTICATED_PATHS.includes(path) && unauthorizedHandler) unauthorizedHandler();
    if (isErrorResponse(data)) {
      const { code, message, field, issues } = data.error;
      throw new ApiError(response.status, code, message, field, issues);
    }
    throw new ApiError(response.status, `http_${response.status}`, response.statusText || `HTTP ${response.status}`);
  }
  return data as T;
}

/** GETs a file: its bytes, or the server's error as an ApiError (a plain link would save the error JSON as the file). */
async function download(path: string): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin' });
  } catch (cause) {
    throw new ApiError(0, 'network', cause instanceof Error ? cause.message : String(cause));
  }
  if (response.ok) return response.blob();
  let data: unknown = undefined;
  try {
    data = await response.json();
  } catch {
    data = undefined;
  }
  if (response.status === 401 && unauthorizedHandler) unauthorizedHandler();
  if (isErrorResponse(data)) {
    const { code, message, field, issues } = data.error;
    throw new ApiError(response.status, code, message, field, issues);
  }
  throw new ApiError(response.status, `http_${response.status}`, response.statusText || `HTTP ${response.status}`);
}

/** A network failure or a 503: worth trying again with the same request. */
export function isRetryable(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status === 503);
}

function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; plain http on a LAN address is not one.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

/**
 * Sends one user action (an answer) until the server has it: on a network error or a 503
 * it waits (1 s, 2 s, 4 s … at most 15 s) and sends the very same request again with the
 * same Idempotency-Key, so the server stores it once however many tries it took. Meanwhile
 * the layout shows "reconnecting". Stops on any other answer, or when `signal` aborts.
 */
export async function submit<T>(method: Method, path: string, options: Omit<RequestOptions, 'idempotencyKey'> = {}): Promise<T> {
  const idempotencyKey = newIdempotencyKey();
  let settled: (() => void) | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request<T>(method, path, { ...options, idempotencyKey });
      } catch (error) {
        if (!isRetryable(error)) throw error;
        settled ??= retryPending();
        await sleep(Math.min(1000 * 2 ** attempt, 15_000) * (0.75 + Math.random() / 2), options.signal);
      }
    }
  } finally {
    settled?.();
  }
}

export type Channel = HouseholdDetail['channels'][number];
export type CircularStatus = CircularDetail['status'];
export type Attachment = CircularDetail['attachments'][number];

export interface CircularQuery {
  q?: string;
  status?: CircularStatus;
  limit?: number;
  offset?: number;
}

const circularPath = (id: string, rest = '') => `/api/circulars/${encodeURIComponent(id)}${rest}`;

const watchHouseholdPath = (id: string, rest = '') => `/api/watch/households/${encodeURIComponent(id)}${rest}`;
const drillPath = (id: string, rest = '') => `/api/drills/${encodeURIComponent(id)}${rest}`;

export type AlertOutcome = NonNullable<Alert['outcome']>;
export type SafetyStatus = NonNullable<TargetView['status']>;
export type Whereabouts = NonNullable<TargetView['where']>;
export type VisitOutcome = NonNullable<TargetView['visitOutcome']>;
export interface AccessLogEntry {
  at: string;
  personName: string | null;
  householdName: string;
  what: string;
}

export interface HouseholdQuery {
  blockId?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

/** Typed calls for every endpoint the web app uses. */
export const api = {
  login: (body: LoginRequest) => request<SessionView>('POST', '/api/auth/login', { body }),
  logout: () => request<{ ok: true }>('POST', '/api/auth/logout'),
  session: () => request<SessionView>('GET', '/api/session'),
  updateMe: (preferredLanguage: Language) => request<SessionView>('PATCH', '/api/me', { body: { preferredLanguage } }),
  changePassword: (body: { currentPassword: string; newPassword: string }) => request<{ ok: true }>('POST', '/api/me/password', { body }),

  joinLookup: (code: string) => request<JoinLookupResponse>('POST', '/api/join/lookup', { body: { code } }),
  join: (body: JoinRequest) => request<SessionView>('POST', '/api/join', { body }),

  blocks: () => request<{ items: BlockView[] }>('GET', '/api/blocks'),
  createBlock: (body: { name: string; sortOrder?: number }) => request<BlockView>('POST', '/api/blocks', { body }),
  updateBlock: (id: string, body: { name?: string; sortOrder?: number }) =>
    request<BlockView>('PATCH', `/api/blocks/${encodeURIComponent(id)}`, { body }),
  setCaptains: (id: string, body: { personIds: string[]; startsOn?: string }) =>
    request<BlockView>('PUT', `/api/blocks/${encodeURIComponent(id)}/captains`, { body }),

  households: (query: HouseholdQuery = {}, signal?: AbortSignal) =>
    request<HouseholdList>('GET', '/api/households', { query: { ...query }, signal }),
  household: (id: string, signal?: AbortSignal) =>
    request<HouseholdDetail>('GET', `/api/households/${encodeURIComponent(id)}`, { signal }),
  createHousehold: (body: CreateHouseholdRequest) => request<HouseholdDetail>('POST', '/api/households', { body }),
  updateHousehold: (id: string, body: UpdateHouseholdRequest) =>
    request<HouseholdDetail>('PATCH', `/api/households/${encodeURIComponent(id)}`, { body }),

  people: (query: { q?: string; withoutHousehold?: boolean } = {}) =>
    request<{ items: PersonView[] }>('GET', '/api/people', {
      query: { q: query.q, withoutHousehold: query.withoutHousehold === undefined ? undefined : String(query.withoutHousehold) },
    }),
  createPerson: (body: CreatePersonRequest) => request<PersonView>('POST', '/api/people', { body }),
  updatePerson: (id: string, body: UpdatePersonRequest) =>
    request<PersonView>('PATCH', `/api/people/${encodeURIComponent(id)}`, { body }),

  importRoster: (file: Blob, mode: 'preview' | 'commit') =>
    request<RosterImportResult>('POST', '/api/roster/import', {
      query: { mode },
      raw: { body: file, contentType: 'text/csv' },
    }),
  exportUrl: (encoding: 'utf-8' | 'shift_jis') => `/api/roster/export?encoding=${encoding}`,
  /** The export as a file; a refusal (Shift_JIS cannot hold some names: 422) is an ApiError with the cells as issues. */
  exportRoster: (encoding: 'utf-8' | 'shift_jis') => download(`/api/roster/export?encoding=${encoding}`),

  passcodes: (body: { blockId?: string; householdIds?: string[] }) =>
    request<PasscodeSheet>('POST', '/api/passcodes', { body }),

  devices: () => request<{ items: DeviceView[] }>('GET', '/api/devices'),
  createDevice: (body: { label: string; householdId?: string | null }) =>
    request<DeviceCredentials>('POST', '/api/devices', { body }),
  rotateDevice: (id: string) => request<DeviceCredentials>('POST', `/api/devices/${encodeURIComponent(id)}/credentials`),
  revokeDevice: (id: string) => request<DeviceView>('POST', `/api/devices/${encodeURIComponent(id)}/revoke`),

  circulars: (query: CircularQuery = {}, signal?: AbortSignal) =>
    request<CircularList>('GET', '/api/circulars', { query: { ...query }, signal }),
  circular: (id: string, signal?: AbortSignal) => request<CircularDetail>('GET', circularPath(id), { signal }),
  createCircular: (body: CircularInput) => request<CircularDetail>('POST', '/api/circulars', { body }),
  updateCircular: (id: string, body: Partial<CircularInput>) => request<CircularDetail>('PATCH', circularPath(id), { body }),
  deleteCircular: (id: string) => request<void>('DELETE', circularPath(id)),
  publishCircular: (id: string) => request<CircularDetail>('POST', circularPath(id, '/publish'), { body: {} }),
  correctCircular: (id: string, body: { title?: string; bodyMarkdown?: string; note: string }) =>
    request<CircularDetail>('POST', circularPath(id, '/correct'), { body }),
  withdrawCircular: (id: string, reason: string) =>
    request<CircularDetail>('POST', circularPath(id, '/withdraw'), { body: { reason } }),
  uploadAttachment: (id: string, file: File) =>
    request<Attachment>('POST', circularPath(id, '/attachments'), {
      query: { filename: file.name },
      raw: { body: file, contentType: file.type || 'application/octet-stream' },
    }),
  deleteAttachment: (id: string, attachmentId: string) =>
    request<void>('DELETE', circularPath(id, `/attachments/${encodeURIComponent(attachmentId)}`)),
  // Answers are retried until stored (see submit); acknowledging twice keeps the first.
  acknowledge: (id: string) =>
    submit<{ acknowledgedAt: string; channel: Channel; first: boolean }>('POST', circularPath(id, '/acknowledge'), { body: {} }),
  answer: (id: string, answer: Answer) => submit<CircularDetail>('PUT', circularPath(id, '/answer'), { body: { answer } }),
  progress: (id: string, signal?: AbortSignal) => request<Progress>('GET', circularPath(id, '/progress'), { signal }),
  unread: (id: string, blockId: string | undefined, signal?: AbortSignal) =>
    request<UnreadList>('GET', circularPath(id, '/unread'), { query: { blockId }, signal }),
  paperSignoffs: (id: string, householdIds: string[]) =>
    request<{ recorded: number; alreadyAcknowledged: number }>('POST', circularPath(id, '/paper-signoffs'), { body: { householdIds } }),
  printSheet: (id: string, blockId: string, signal?: AbortSignal) =>
    request<PrintSheet>('GET', circularPath(id, '/print'), { query: { blockId }, signal }),

  tasks: (status: 'open' | 'done' = 'open', signal?: AbortSignal) =>
    request<{ items: Task[] }>('GET', '/api/tasks', { query: { status }, signal }),
  resolveTask: (id: string, note: string) =>
    request<Task>('POST', `/api/tasks/${encodeURIComponent(id)}/resolve`, { body: { note } }),

  watchAlerts: (status: 'live' | 'closed' = 'live', signal?: AbortSignal) =>
    request<{ items: Alert[] }>('GET', '/api/watch/alerts', { query: { status }, signal }),
  takeAlert: (id: string) => request<Alert>('POST', `/api/watch/alerts/${encodeURIComponent(id)}/take`, { body: {} }),
  resolveAlert: (id: string, outcome: AlertOutcome, note: string) =>
    request<Alert>('POST', `/api/watch/alerts/${encodeURIComponent(id)}/resolve`, { body: { outcome, note } }),
  watchBoard: (signal?: AbortSignal) => request<{ items: WatchedHousehold[] }>('GET', '/api/watch/households', { signal }),
  householdWatch: (id: string, signal?: AbortSignal) => request<HouseholdWatch>('GET', watchHouseholdPath(id), { signal }),
  updateWatchSettings: (id: string, body: WatchSettingsUpdate) =>
    request<HouseholdWatch>('PATCH', watchHouseholdPath(id, '/settings'), { body }),
  addAway: (id: string, body: { startsAt: string; endsAt: string; reason: string }) =>
    request<HouseholdWatch>('POST', watchHouseholdPath(id, '/away'), { body }),
  removeAway: (id: string, awayId: string) =>
    request<HouseholdWatch>('DELETE', watchHouseholdPath(id, `/away/${encodeURIComponent(awayId)}`)),
  watchAccessLog: (signal?: AbortSignal) => request<{ items: AccessLogEntry[] }>('GET', '/api/watch/access-log', { signal }),

  drills: (signal?: AbortSignal) => request<{ items: DrillSummary[] }>('GET', '/api/drills', { signal }),
  myDrills: (signal?: AbortSignal) => request<{ items: MyDrill[] }>('GET', '/api/drills/mine', { signal }),
  startDrill: (body: StartDrill) => request<DrillSummary>('POST', '/api/drills', { body }),
  answerDrill: (id: string, body: { status: SafetyStatus; where: Whereabouts; note: string }) =>
    submit<MyDrill>('POST', drillPath(id, '/answer'), { body }),
  proxyAnswer: (id: string, body: { householdId: string; status: SafetyStatus; where: Whereabouts; note: string }) =>
    submit<MyDrill>('POST', drillPath(id, '/proxy'), { body }),
  takeDrillTask: (id: string, householdId: string) => request<{ ok: true }>('POST', drillPath(id, '/take'), { body: { householdId } }),
  recordVisit: (id: string, body: { householdId: string; outcome: VisitOutcome; note: string }) =>
    submit<MyDrill>('POST', drillPath(id, '/visit'), { body }),
  drillDashboard: (id: string, signal?: AbortSignal) => request<Dashboard>('GET', drillPath(id, '/dashboard'), { signal }),
  drillTasks: (id: string, signal?: AbortSignal) => request<{ items: TargetView[] }>('GET', drillPath(id, '/tasks'), { signal }),
  endDrill: (id: string) => request<DrillReport>('POST', drillPath(id, '/end'), { body: {} }),
  drillReport: (id: string, signal?: AbortSignal) => request<DrillReport>('GET', drillPath(id, '/report'), { signal }),
  drillReportCsvUrl: (id: string) => drillPath(id, '/report.csv'),

  pushPublicKey: () => request<{ publicKey: string }>('GET', '/api/push/public-key'),
  pushSubscribe: (body: { endpoint: string; keys: { p256dh: string; auth: string } }) =>
    request<unknown>('POST', '/api/push/subscriptions', { body }),
  pushUnsubscribe: (endpoint: string) => request<void>('DELETE', '/api/push/subscriptions', { body: { endpoint } }),
};
