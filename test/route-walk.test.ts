import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, type SeededAssociation } from './support/fixtures.js';
import { startSuite, stopSuite } from './support/suite.js';

/**
 * The route walk: reads /api/openapi.json and sends every route, as every role, hostile
 * values made from that route's own schema (wrong types, 32- and 53-bit boundaries, NUL,
 * lone surrogates, odd dates, a 1 MB string, empty objects, arrays for objects, ids that are
 * not ids, a lying Content-Encoding, malformed session cookies). Any 5xx, or a response that
 * shows a stack trace, SQL, a file path or a PostgreSQL error code, fails it.
 *
 * Deterministic (a fixed seed) and bounded (a fixed number of cases per route and role), on a
 * database of its own: the walk logs out, ends drills and deletes things as it goes.
 */

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  default?: unknown;
};
type Operation = {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
};
interface Case {
  what: string;
  path: Record<string, string>;
  query: string;
  body?: unknown;
  /** Sent as is (not JSON.stringify'd): invalid JSON, a lying gzip header, raw uploads. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

// ── A seeded generator: the same cases on every run ───────────────────────────────────
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_STRINGS = [
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  'NaN',
  'Infinity',
  '-0',
  '1e400',
  '0000-01-01',
  '275760-09-13',
  '0000-01-01T00:00:00Z',
  '275760-09-13T00:00:00.000Z',
  '+275760-09-13T00:00:00Z',
  '2026-02-30T25:61:00+09:00',
  '',
  ' ',
  "'; select pg_sleep(0); --",
  '../../etc/passwd',
  'x'.repeat(5000),
];
const HOSTILE_NUMBERS = [2 ** 31, -(2 ** 31) - 1, 2 ** 31 - 1, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1.5, -1, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER * 1000];
const HOSTILE_TYPES: unknown[] = [null, true, [], {}, [{}], 'string', 42, [null]];
const HOSTILE_PATH = ['not-a-uuid', '%00', '%E0%A4%A', '%ED%A0%80', 'x'.repeat(2000), '00000000-0000-0000-0000-000000000000', '1', '-1', '2147483648', "'"];
const HOSTILE_QUERY = ['%00', 'a%00b', '%ED%A0%80', '%E0%A4%A', '2147483648', '-2147483649', '9007199254740993', 'NaN', 'Infinity', '1e400', '-1', '1.5', '0000-01-01', '275760-09-13', 'x'.repeat(5000), '%27%3B--'];
const MALFORMED_COOKIES = ['tonari_session=%E0%A4%A', 'tonari_session=%00', 'tonari_session=' + 'a'.repeat(5000), 'tonari_session=zzz; tonari_session=%', 'tonari_session="unterminated', 'tonari_session=%ED%A0%80'];

/** What a response must never show: stack frames, file paths, SQL, PostgreSQL's messages and codes. */
const INTERNALS = [
  /\n\s+at \S/,
  /\bat \//,
  /node_modules/,
  /\/work\//,
  /\.(?:ts|js|mjs):\d+/,
  /\bsyntax error at\b/i,
  /\bviolates\b[^"]*constraint/i,
  /\brelation "/,
  /\bcolumn "/,
  /invalid input syntax/i,
  /invalid byte sequence/i,
  /out of range for type/i,
  /unsupported Unicode escape/i,
  /\bSQLSTATE\b/,
  /"code":"(?:0A|08|22|23|25|28|40|42|53|54|55|57|58|XX)[0-9A-Z]{3}"/,
  /\b(?:select|insert into|update|delete from)\b[^"]{0,80}\b(?:from|where|values|set)\b/i,
];

describe('route walk with hostile values', () => {
  let database: TestDatabase;
  let server: TestServer;
  let x: SeededAssociation;

  beforeAll(async () => ({ database, server, x } = await startSuite({ label: 'walk' })));
  afterAll(() => stopSuite({ server, database }));

  it('answers every route, role and hostile value without a 5xx or a glimpse of internals', async () => {
    const anonymous = new ApiClient(server.baseUrl);
    const spec = (await anonymous.get('/api/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };

    // Real ids, so that some cases get past "no such thing" into the handlers.
    const officer = new ApiClient(server.baseUrl);
    await officer.login(x.logins.officer, PASSWORD);
    const inDays = (d: number) => new Date(Date.now() + d * 86400_000).toISOString();
    const draft = await officer.post('/api/circulars', { title: 'walk draft', dueAt: inDays(7) });
    const scheduled = await officer.post('/api/circulars', { title: 'walk scheduled', publishAt: inDays(2), dueAt: inDays(9) });
    await officer.post(`/api/circulars/${scheduled.body.id}/publish`);
    const published = await officer.post('/api/circulars', { title: 'walk published', dueAt: inDays(7), question: { type: 'yes_no', prompt: 'ok?' } });
    await officer.post(`/api/circulars/${published.body.id}/publish`);
    const drill = await officer.post('/api/drills', { kind: 'drill', title: 'walk drill', deadlineAt: inDays(1) });
    const shelter = await database.db
      .insertInto('shelters')
      .values({ association_id: x.association.id, source_id: 'walk', name: 'walk shelter', latitude: 34.8, longitude: 135.76, capacity: null, hazards: [], also_evacuation_centre: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ids = [
      x.households.A.id, x.blocks.block1.id, x.people.memberA.id, draft.body?.id, scheduled.body?.id, published.body?.id, drill.body?.id, shelter.id,
    ].filter((id): id is string => typeof id === 'string');
    expect(ids.length).toBe(8);

    const roles: { name: string; login?: string; cookies?: string[]; budget: number }[] = [
      { name: 'anonymous', budget: 1 },
      { name: 'malformed cookie', cookies: MALFORMED_COOKIES, budget: 2 },
      { name: 'officer', login: x.logins.officer, budget: 6 },
      { name: 'captain', login: x.logins.captain1, budget: 3 },
      { name: 'household member', login: x.logins.memberA, budget: 3 },
      { name: 'volunteer', login: x.logins.volunteer, budget: 2 },
      { name: 'family watcher', login: x.logins.watcherA, budget: 2 },
    ];

    const routes = Object.entries(spec.paths)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })))
      .sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`))
      // The session-ending routes go last, so the rest of the walk keeps its logins.
      .sort((a, b) => Number(/logout|password/.test(a.path)) - Number(/logout|password/.test(b.path)));
    expect(routes.length).toBeGreaterThan(40);

    /** A plausible value for a schema: the starting point each case mutates one part of. */
    const plausible = (schema: Schema | undefined, random: () => number, depth = 0): unknown => {
      const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
      if (!schema || depth > 4) return 'x';
      if (schema.const !== undefined) return schema.const;
      if (schema.enum) return schema.enum[0];
      if (schema.default !== undefined) return schema.default;
      const alternatives = schema.anyOf ?? schema.oneOf;
      if (alternatives) return plausible(alternatives.find((s) => s.type !== 'null') ?? alternatives[0], random, depth + 1);
      if (schema.allOf?.length) return plausible(schema.allOf[0], random, depth + 1);
      const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
      switch (type) {
        case 'object': {
          const out: Record<string, unknown> = {};
          for (const [key, property] of Object.entries(schema.properties ?? {})) out[key] = plausible(property, random, depth + 1);
          return out;
        }
        case 'array':
          return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => plausible(schema.items, random, depth + 1));
        case 'integer':
        case 'number':
          return schema.minimum ?? (schema.maximum !== undefined ? Math.min(1, schema.maximum) : 1);
        case 'boolean':
          return true;
        case 'string': {
          if (schema.format === 'uuid') return pick(ids);
          if (schema.format === 'date-time') return inDays(3);
          if (schema.format === 'date') return '2027-04-01';
          if (schema.format === 'email') return 'walk@example.jp';
          if (schema.format === 'uri') return 'https://push.example.com/walk';
          if (schema.pattern) {
            const pattern = new RegExp(schema.pattern, 'u');
            const fit = ['12:00', 'ABCD2345', '09012345678', '2027-04-01', 'x'].find((v) => pattern.test(v));
            if (fit) return fit;
          }
          return 'walk';
        }
        default:
          return 'walk';
      }
    };

    const hostileFor = (schema: Schema | undefined, random: () => number): unknown[] => {
      const type = schema && (Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type);
      if (type === 'integer' || type === 'number') return [...HOSTILE_NUMBERS, 'NaN', '1', null, {}];
      if (type === 'boolean') return ['true', 0, null, []];
      if (type === 'array') return [{}, [null], ['\u0000'], ['\ud800'], [2 ** 31], 'x', Array.from({ length: 3000 }, () => plausible(schema?.items, random))];
      if (type === 'object') return [[], 'x', {}, null, [{}]];
      return [...HOSTILE_STRINGS, ...HOSTILE_TYPES];
    };

    /** Every field, to depth 2, with the schema that describes it. */
    const fields = (schema: Schema | undefined, prefix: string[] = [], depth = 0): { path: string[]; schema: Schema }[] => {
      if (!schema || depth > 2) return [];
      const alternatives = schema.anyOf ?? schema.oneOf;
      if (alternatives) return alternatives.flatMap((s) => fields(s, prefix, depth));
      const out: { path: string[]; schema: Schema }[] = [];
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        out.push({ path: [...prefix, key], schema: property });
        out.push(...fields(property, [...prefix, key], depth + 1));
      }
      return out;
    };
    const setAt = (value: unknown, path: string[], replacement: unknown): unknown => {
      if (path.length === 0) return replacement;
      const base = value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
      base[path[0]!] = setAt(base[path[0]!], path.slice(1), replacement);
      return base;
    };

    /** Every case a route can have; a role's budget of them is picked by the seeded generator. */
    const casesFor = (route: (typeof routes)[number], random: () => number): { always: Case[]; pool: Case[] } => {
      const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
      const params = route.op.parameters ?? [];
      const pathParams = params.filter((p) => p.in === 'path');
      const queryParams = params.filter((p) => p.in === 'query');
      const basePath = Object.fromEntries(pathParams.map((p) => [p.name, pick(ids)]));
      const jsonBody = route.op.requestBody?.content['application/json']?.schema;
      const rawType = route.op.requestBody && !jsonBody ? Object.keys(route.op.requestBody.content)[0] : undefined;
      const baseBody = jsonBody ? plausible(jsonBody, random) : undefined;
      const baseQuery = queryParams
        .filter((p) => p.required)
        .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(plausible(p.schema, random)))}`)
        .join('&');
      const base: Case = { what: 'plausible', path: basePath, query: baseQuery, ...(jsonBody && { body: baseBody }), ...(rawType && { rawBody: 'a,b\n1,2\n', headers: { 'content-type': rawType } }) };
      const always: Case[] = [base];
      const pool: Case[] = [];
      for (const p of pathParams) for (const v of HOSTILE_PATH) pool.push({ ...base, what: `path ${p.name}=${v.slice(0, 20)}`, path: { ...basePath, [p.name]: v } });
      for (const p of queryParams) {
        for (const v of HOSTILE_QUERY) pool.push({ ...base, what: `query ${p.name}=${v.slice(0, 20)}`, query: [baseQuery, `${p.name}=${v}`].filter(Boolean).join('&') });
        pool.push({ ...base, what: `query ${p.name} twice`, query: [baseQuery, `${p.name}=a&${p.name}=b`].filter(Boolean).join('&') });
        pool.push({ ...base, what: `query ${p.name}[k]`, query: [baseQuery, `${p.name}[k]=1`].filter(Boolean).join('&') });
      }
      if (jsonBody) {
        always.push({ ...base, what: 'body {}', body: {} });
        always.push({ ...base, what: 'body 1 MB string', body: setAt(baseBody, [fields(jsonBody)[0]?.path[0] ?? 'x'], 'x'.repeat(1024 * 1024)) });
        always.push({ ...base, what: 'Content-Encoding: gzip on a body that is not gzip', rawBody: JSON.stringify(baseBody), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
        for (const whole of [[], [baseBody], null, 'text', 42, true]) pool.push({ ...base, what: `body ${JSON.stringify(whole)?.slice(0, 20)}`, body: whole });
        pool.push({ ...base, what: 'body not JSON', rawBody: '{"a":', headers: { 'content-type': 'application/json' } });
        pool.push({ ...base, what: 'body invalid UTF-8', rawBody: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), headers: { 'content-type': 'application/json' } });
        pool.push({ ...base, what: 'Content-Encoding: br', rawBody: JSON.stringify(baseBody), headers: { 'content-type': 'application/json', 'content-encoding': 'br' } });
        pool.push({ ...base, what: 'body __proto__', rawBody: '{"__proto__":{"admin":true},"constructor":{"prototype":{}}}', headers: { 'content-type': 'application/json' } });
        for (const field of fields(jsonBody)) {
          for (const v of hostileFor(field.schema, random)) {
            pool.push({ ...base, what: `body ${field.path.join('.')}=${JSON.stringify(v)?.slice(0, 30)}`, body: setAt(baseBody, field.path, v) });
          }
        }
      } else if (rawType) {
        pool.push({ ...base, what: 'raw 64 KB of one letter', rawBody: Buffer.alloc(64 * 1024, 0x41) });
        for (const raw of [Buffer.from([0, 0, 0, 0]), Buffer.from('\ufeff"a\u0000",b\n'), Buffer.from([0xff, 0xfe, 0x41, 0x00]), Buffer.from('=cmd|x,\n'.repeat(100))]) {
          pool.push({ ...base, what: `raw ${raw.subarray(0, 8).toString('hex')}`, rawBody: raw });
        }
        pool.push({ ...base, what: 'raw with Content-Encoding: gzip', headers: { 'content-type': rawType, 'content-encoding': 'gzip' } });
      } else if (route.method !== 'GET') {
        pool.push({ ...base, what: 'unexpected body', body: { unexpected: '\u0000' } });
        pool.push({ ...base, what: 'Content-Encoding: gzip with no schema', rawBody: '{}', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
      }
      return { always, pool };
    };

    const failures: string[] = [];
    const slow: [number, string][] = [];
    const counts = { routes: routes.length, roles: roles.length, cases: 0 };
    // Roles walk side by side (each with a session and a seeded generator of its own), one
    // request at a time each: the same cases in the same order within a role on every run.
    await Promise.all(roles.map(async (role, roleIndex) => {
      const random = mulberry32(0x70_4a_12 + roleIndex);
      const client = new ApiClient(server.baseUrl);
      const relogin = async () => {
        client.cookie = '';
        client.csrfToken = '';
        if (role.login) await client.login(role.login, PASSWORD);
      };
      await relogin();
      for (const route of routes) {
        const { always, pool } = casesFor(route, random);
        // Officers and the anonymous get past (or stop at) the most checks: they get every
        // route's fixed cases; every role gets its budget of seeded picks from the pool.
        const chosen = role.name === 'officer' ? [...always] : role.name === 'anonymous' ? always.filter((c) => !c.what.includes('1 MB')) : [];
        const rest = role.name === 'officer' || role.name === 'anonymous' ? [...pool] : [...always, ...pool];
        const target = chosen.length + role.budget;
        while (chosen.length < target && rest.length) chosen.push(rest.splice(Math.floor(random() * rest.length), 1)[0]!);
        for (const [index, c] of chosen.entries()) {
          const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
            const value = c.path[name] ?? ids[0]!;
            // Hostile path values are sent already percent-encoded, as a raw request would carry them.
            return /%/.test(value) ? value : encodeURIComponent(value);
          }) + (c.query ? `?${c.query}` : '');
          const headers: Record<string, string> = { ...(c.headers ?? {}) };
          if (role.cookies) headers.cookie = role.cookies[index % role.cookies.length]!;
          let response: Awaited<ReturnType<ApiClient['request']>>;
          const started = performance.now();
          try {
            response = await client.request(route.method, url, c.rawBody ?? c.body, headers);
            if (process.env.WALK_DEBUG) slow.push([performance.now() - started, `${role.name} ${route.method} ${route.path} [${c.what}] ${response.status}`]);
          } catch (error) {
            failures.push(`${role.name} ${route.method} ${route.path} [${c.what}]: request failed: ${(error as Error).message}`);
            continue;
          }
          counts.cases++;
          const where = `${response.status} ${role.name} ${route.method} ${route.path} [${c.what}]`;
          if (response.status >= 500) failures.push(`${where}: ${response.text.slice(0, 200)}`);
          const leak = INTERNALS.find((pattern) => pattern.test(response.text));
          if (leak) failures.push(`${where}: reveals internals (${leak}): ${response.text.slice(0, 200)}`);
          // The directory accounts' routes answer 401 to a resident (no directory session): their session is not over.
          if (response.status === 401 && role.login && !route.path.startsWith('/api/directory/account')) await relogin();
        }
        // Logging out, or a password change, ends the session: log in again for the next route.
        if (role.login && /logout|password/.test(route.path)) await relogin();
      }
    }));
    console.log(`route walk: ${counts.routes} routes × ${counts.roles} roles, ${counts.cases} requests; ${failures.filter((f) => /^5\d\d /.test(f)).length} × 5xx`);
    if (failures.length) console.log(failures.join('\n'));
    if (process.env.WALK_DEBUG) console.log(slow.sort((p, q) => q[0] - p[0]).slice(0, 40).map(([ms, what]) => `${Math.round(ms)}ms ${what}`).join('\n'));
    // The server is still serving after all of it.
    expect((await anonymous.get('/healthz')).status).toBe(200);
    expect(failures).toEqual([]);
    expect(counts.cases).toBeGreaterThan(routes.length * roles.length);
  }, 180_000);
});
