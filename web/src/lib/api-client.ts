import type { ErrorResponse } from '../../../server/src/contracts/common.js';
import { authRoutes } from '../../../server/src/contracts/auth.js';
import type { ResponseOf, RouteContract, SentPart } from '../../../server/src/contracts/route.js';
import { retryPending, setApiReachable } from './connection.js';

/**
 * The typed API client: one `request(contract, …)` for every route, its URL, method and types
 * taken from the server's route contracts (server/src/contracts), so nothing is restated here.
 */

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

/**
 * Routes whose 401 is an expected answer, not an expired session. Who-am-I answers nobody with
 * null now, but an instance not yet updated in a rolling deploy still answers a 401.
 */
const UNAUTHENTICATED_ROUTES: readonly RouteContract[] = [authRoutes.login, authRoutes.session, authRoutes.join, authRoutes.joinLookup, authRoutes.logout];

/** A part the contract has no schema for may not be sent; one whose fields are all optional may be left out. */
type Part<C extends RouteContract, K extends 'params' | 'query' | 'body'> =
  SentPart<C, K> extends undefined ? { [key in K]?: never } : object extends SentPart<C, K> ? { [key in K]?: SentPart<C, K> } : { [key in K]: SentPart<C, K> };

export type RequestOptions<C extends RouteContract> = Part<C, 'params'> &
  Part<C, 'query'> &
  // A route without a body schema may still be sent an empty JSON object, as a POST with nothing to say.
  (SentPart<C, 'body'> extends undefined ? { body?: Record<string, never> } : Part<C, 'body'>) &
  (C extends { rawBody: object }
    ? /** The raw body (e.g. a CSV file), sent as is; its media type defaults to the contract's. */
      { raw: { body: Blob; contentType?: string } }
    : { raw?: never }) & {
    signal?: AbortSignal;
    /** Sent as Idempotency-Key: the same for every retry of one user action. */
    idempotencyKey?: string;
  };

/** The options argument, optional when nothing in it is required. */
type OptionsArgument<C extends RouteContract, O = RequestOptions<C>> = object extends O ? [options?: O] : [options: O];

/** What a route answers: its response's z.output, or a file (Blob) for a route that produces one. */
export type Answer<C extends RouteContract> = C extends { produces: string } ? Blob : ResponseOf<C>;

interface LooseOptions {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  raw?: { body: Blob; contentType?: string };
  signal?: AbortSignal;
  idempotencyKey?: string;
}

function withQuery(path: string, query: LooseOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The contract's path with its `:name` segments filled from params, and the query string. */
function urlOf(contract: RouteContract, options: Pick<LooseOptions, 'params' | 'query'>): string {
  const path = contract.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = options.params?.[name];
    if (value === undefined || value === null) throw new Error(`${contract.path}: the parameter ${name} is missing`);
    return encodeURIComponent(String(value));
  });
  return withQuery(path, options.query);
}

/** The address of a route, e.g. for a download link. */
export function url<C extends RouteContract>(contract: C, options: Pick<RequestOptions<C>, 'params' | 'query'>): string {
  return urlOf(contract, options as LooseOptions);
}

function isErrorResponse(value: unknown): value is ErrorResponse {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}

function errorOf(response: Response, data: unknown): ApiError {
  if (isErrorResponse(data)) {
    const { code, message, field, issues } = data.error;
    return new ApiError(response.status, code, message, field, issues);
  }
  return new ApiError(response.status, `http_${response.status}`, response.statusText || `HTTP ${response.status}`);
}

/** Sends one request to the route `contract` describes, and answers its typed response. */
export async function request<C extends RouteContract>(contract: C, ...args: OptionsArgument<C>): Promise<Answer<C>> {
  const loose = (args[0] ?? {}) as LooseOptions;
  if (contract.produces) return (await download(urlOf(contract, loose), loose.signal)) as Answer<C>;
  const method = contract.method.toUpperCase();
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (loose.raw) {
    headers['Content-Type'] = loose.raw.contentType || (contract.rawBody?.type ?? 'application/octet-stream');
    body = loose.raw.body;
  } else if (loose.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(loose.body);
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (loose.idempotencyKey) headers['Idempotency-Key'] = loose.idempotencyKey;

  let response: Response;
  try {
    response = await fetch(urlOf(contract, loose), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: loose.signal,
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
    if (response.status === 401 && !UNAUTHENTICATED_ROUTES.includes(contract) && unauthorizedHandler) unauthorizedHandler();
    throw errorOf(response, data);
  }
  return data as Answer<C>;
}

/** GETs a file: its bytes, or the server's error as an ApiError (a plain link would save the error JSON as the file). */
async function download(path: string, signal: AbortSignal | undefined): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin', signal });
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
  throw errorOf(response, data);
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
export async function submit<C extends RouteContract>(
  contract: C,
  ...args: OptionsArgument<C, Omit<RequestOptions<C>, 'idempotencyKey'>>
): Promise<Answer<C>> {
  const options = (args[0] ?? {}) as LooseOptions;
  const idempotencyKey = newIdempotencyKey();
  const send = request as (contract: RouteContract, options: LooseOptions) => Promise<Answer<C>>;
  let settled: (() => void) | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await send(contract, { ...options, idempotencyKey });
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
