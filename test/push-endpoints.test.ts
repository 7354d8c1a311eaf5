import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { startPushService } from './support/push-service.js';
import { createLogger } from '../server/src/platform/logger.js';
import { createPushService, loadVapidKeys } from '../server/src/push/push.service.js';
import { isPublicAddress, publicOnlyAgent } from '../server/src/push/push-endpoint.js';
import { loggedInClient, startSuite } from './support/suite.js';

/**
 * Web Push endpoints are URLs a user hands the server, which then connects to them. Here the
 * server runs as in production (no allowance for private hosts): an endpoint must be a public
 * https host, checked when it is saved and again when something is sent. The tests' own push
 * service on 127.0.0.1 stands in for an internal service an attacker would like to reach.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
let memberA: ApiClient;
let pushService: Awaited<ReturnType<typeof startPushService>>;

beforeAll(async () => {
  ({ database, server, x } = await startSuite({ label: 'px', server: { pushAllowPrivateHosts: false } }));
  y = await seedAssociation(database.db, 'py');
  pushService = await startPushService();
  memberA = await loggedInClient(server, x.logins.memberA);
  // Two more people hold sessions, as they always have here (no test reads their clients).
  await loggedInClient(server, x.logins.memberB);
  await loggedInClient(server, y.logins.memberA);
});
afterAll(async () => {
  await server?.close();
  await pushService?.close();
  await database?.drop();
});

const stored = () => database.db.selectFrom('push_subscriptions').select(['endpoint', 'person_id', 'association_id', 'p256dh']).orderBy('created_at').execute();

describe('saving a push subscription', () => {
  it('refuses endpoints that are not public https push services, naming the field, and stores nothing', async () => {
    const real = pushService.subscription('internal');
    const port = new URL(real.endpoint).port;
    const hostile = [
      real.endpoint, // https://127.0.0.1:<port>/… — loopback on a port the user names
      `https://localhost/push/x`, // a host name that resolves to loopback
      `https://localhost:${port}/push/x`,
      `http://example.com/push/x`, // not https
      `https://10.0.0.5/push/x`, // RFC 1918
      `https://192.168.1.1/push/x`,
      `https://169.254.169.254/latest/meta-data`, // link-local: cloud metadata
      `https://100.64.0.1/push/x`, // CGNAT
      `https://[::1]/push/x`,
      `https://[fd00::1]/push/x`, // ULA
      `https://[::ffff:127.0.0.1]/push/x`, // IPv4-mapped loopback
      `https://0x7f000001/push/x`, // 127.0.0.1 spelt as a number
      `https://224.0.0.1/push/x`, // multicast
      `https://0.0.0.0/push/x`,
      `https://user:pw@8.8.8.8/push/x`,
      `https://8.8.8.8:8443/push/x`, // a public host, but not the https port
    ];
    for (const endpoint of hostile) {
      const response = await memberA.post('/api/push/subscriptions', { endpoint, keys: real.keys });
      expect(response.status, endpoint).toBe(400);
      expect(response.body.error.field, endpoint).toBe('endpoint');
    }
    expect(await stored()).toEqual([]);
    expect(pushService.received).toEqual([]);
  });

  it('a public address passes the check', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2001:4860:4860::8888')).toBe(true);
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.0.1', '169.254.1.1', '100.100.0.1', '::1', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1', '::', 'ff02::1', '64:ff9b::7f00:1']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });
});

describe('sending', () => {
  it('connects only to public addresses: a host that resolves to loopback is refused at connect time', async () => {
    const sub = pushService.subscription('rebound');
    const viaLocalhost = sub.endpoint.replace('127.0.0.1', 'localhost');
    const attempt = (agent: import('node:https').Agent | undefined) =>
      new Promise<number | string>((resolve) => {
        const req = request(viaLocalhost, { method: 'POST', agent, rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
        req.end('x');
      });
    expect(await attempt(publicOnlyAgent())).toBe('ENOTPUBLIC');
    expect(pushService.received.filter((r) => r.path === '/push/rebound')).toEqual([]);
    // The same request through an ordinary agent does arrive: the refusal above is the agent's.
    expect(await attempt(undefined)).toBe(201);
  });

  it('drops a stored subscription to a private address instead of connecting to it', async () => {
    const legacy = pushService.subscription('legacy');
    await database.db
      .insertInto('push_subscriptions')
      .values({ association_id: x.association.id, person_id: x.people.memberB.id, endpoint: legacy.endpoint, p256dh: legacy.keys.p256dh, auth: legacy.keys.auth })
      .execute();
    const push = createPushService({
      db: database.db,
      log: createLogger('silent'),
      jobs: server.app.jobs,
      vapid: await loadVapidKeys(database.db),
      subject: 'mailto:admin@tonari.invalid',
    });
    expect(await push.sendToPeople([x.people.memberB.id], { title: 't', body: 'b', url: 'https://tonari.invalid/' })).toEqual({ sent: 0, removed: 1, retrying: 0 });
    expect(pushService.received.filter((r) => r.path === '/push/legacy')).toEqual([]);
    expect(await stored()).toEqual([]);
  });
});

describe('a subscription belongs to the person who saved it', () => {
  it('the same endpoint posted by another person, in this or another association, does not move it', async () => {
    // A test server that accepts the loopback push service, as every other test's does.
    const permissive = await startTestServer(database);
    try {
      const a = new ApiClient(permissive.baseUrl);
      const b = new ApiClient(permissive.baseUrl);
      const other = new ApiClient(permissive.baseUrl);
      await a.login(x.logins.memberA, PASSWORD);
      await b.login(x.logins.memberB, PASSWORD);
      await other.login(y.logins.memberA, PASSWORD);
      const phone = pushService.subscription('member-a-phone');
      expect((await a.post('/api/push/subscriptions', phone)).status).toBe(201);
      const takeover = { endpoint: phone.endpoint, keys: pushService.subscription('attacker').keys };
      for (const client of [b, other]) {
        const response = await client.post('/api/push/subscriptions', takeover);
        expect(response.status).toBe(409);
        expect(response.body.error.field).toBe('endpoint');
      }
      expect(await stored()).toEqual([{ endpoint: phone.endpoint, person_id: x.people.memberA.id, association_id: x.association.id, p256dh: phone.keys.p256dh }]);
      // Its owner may save it again (new keys after the browser renewed them).
      const renewed = { endpoint: phone.endpoint, keys: pushService.subscription('renewed').keys };
      expect((await a.post('/api/push/subscriptions', renewed)).status).toBe(201);
      expect((await stored())[0]).toMatchObject({ person_id: x.people.memberA.id, p256dh: renewed.keys.p256dh });
      // Another person cannot remove it either.
      await b.request('DELETE', '/api/push/subscriptions', { endpoint: phone.endpoint });
      expect(await stored()).toHaveLength(1);
    } finally {
      await permissive.close();
    }
  });
});
