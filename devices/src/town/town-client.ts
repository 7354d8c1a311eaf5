import { randomUUID } from 'node:crypto';

/** One person's session on tonari's HTTP API: the login cookie and the CSRF token, as the web app sends them. */
export class TownHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class TownSession {
  private cookie = '';
  /** Requests tried again after a 503. */
  retries = 0;
  /** Requests answered, and the real ms they took in all (retries included). */
  requests = 0;
  requestMs = 0;
  private csrfToken = '';

  constructor(
    readonly baseUrl: string,
    readonly login: string,
  ) {}

  /** A phone that was logged in before: the session's cookie token and CSRF token. */
  resume(token: string, csrfToken: string): this {
    this.cookie = `tonari_session=${token}`;
    this.csrfToken = csrfToken;
    return this;
  }

  async logIn(password: string): Promise<this> {
    const response = await this.send('POST', '/api/auth/login', { identifier: this.login, password });
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('tonari_session='));
    if (!cookie) throw new TownHttpError(`${this.login}: no session cookie`, response.status);
    this.cookie = cookie.split(';')[0]!;
    this.csrfToken = ((await response.json()) as { csrfToken: string }).csrfToken;
    return this;
  }

  async get<T>(path: string): Promise<T> {
    return (await (await this.send('GET', path)).json()) as T;
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return (await (await this.send('POST', path, body)).json()) as T;
  }

  /**
   * Sends once, and again on 503 (the database pool was busy: tonari says when to retry) or a
   * lost connection, as the web app's client does, up to 8 times. POSTs carry one
   * Idempotency-Key for all their tries, so a retried answer or visit is stored once.
   */
  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.cookie) headers.cookie = this.cookie;
    if (method === 'POST' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    if (method === 'POST') headers['idempotency-key'] = randomUUID();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const started = Date.now();
    const done = () => {
      this.requests++;
      this.requestMs += Date.now() - started;
      const route = `${method} ${path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')}`;
      const stat = routeTimes.get(route) ?? { count: 0, ms: 0, maxMs: 0 };
      stat.count++;
      stat.ms += Date.now() - started;
      stat.maxMs = Math.max(stat.maxMs, Date.now() - started);
      routeTimes.set(route, stat);
    };
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) throw error;
        await pause(500 * attempt);
        continue;
      }
      if (response.ok) {
        done();
        return response;
      }
      const text = await response.text();
      if (response.status === 503 && attempt < MAX_ATTEMPTS) {
        this.retries++;
        await pause(Math.min(2000, Number(response.headers.get('retry-after') ?? 1) * 1000) * (0.5 + Math.random() / 2));
        continue;
      }
      done();
      let message = text.slice(0, 200);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON
      }
      throw new TownHttpError(`${method} ${path} (${this.login}): HTTP ${response.status} ${message}`, response.status);
    }
  }
}

const MAX_ATTEMPTS = 8;
/** Real ms per route (ids replaced by :id), over every session of the process. */
export const routeTimes = new Map<string, { count: number; ms: number; maxMs: number }>();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items`, `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
