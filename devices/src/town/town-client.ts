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

  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.cookie) headers.cookie = this.cookie;
    if (method === 'POST' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) {
      const text = await response.text();
      let message = text.slice(0, 200);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON
      }
      throw new TownHttpError(`${method} ${path} (${this.login}): HTTP ${response.status} ${message}`, response.status);
    }
    return response;
  }
}

/** Runs `work` over `items`, `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
