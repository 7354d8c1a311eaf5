import type { SessionView } from '../../server/src/contracts/auth.js';

/** A browser-like HTTP client for the API: keeps the session cookie and sends the CSRF token. */
export class ApiClient {
  cookie = '';
  csrfToken = '';

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const isRaw = Buffer.isBuffer(body) || typeof body === 'string';
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': isRaw ? 'text/csv' : 'application/json' }),
        ...(this.cookie && { cookie: this.cookie }),
        ...(this.csrfToken && method !== 'GET' && { 'x-csrf-token': this.csrfToken }),
        ...headers,
      },
      body: body === undefined ? undefined : isRaw ? (body as BodyInit) : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await response.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, body: json, text, headers: response.headers };
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, body?: unknown) => this.request('POST', path, body ?? {});
  patch = (path: string, body: unknown) => this.request('PATCH', path, body);
  put = (path: string, body: unknown) => this.request('PUT', path, body);

  async login(identifier: string, password: string): Promise<SessionView> {
    const response = await this.post('/api/auth/login', { identifier, password });
    if (response.status !== 200) throw new Error(`login as ${identifier} failed: ${response.status} ${response.text}`);
    this.csrfToken = response.body.csrfToken;
    return response.body;
  }
}
