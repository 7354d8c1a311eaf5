import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { routeContracts } from '../server/src/contracts/routes.js';
import type { RouteContract } from '../server/src/contracts/route.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { startServerSuite, stopSuite } from './support/suite.js';

/**
 * The route contracts are the one list of the API's routes: the server serves each of
 * them, serves no /api route that is not one of them, and documents exactly them. So a
 * route cannot be restated beside its contract, nor a contract forgotten by the server.
 */

/** Served outside the contracts on purpose: the documents that describe the contracts. */
const DOCUMENTATION_ROUTES = ['get /api/openapi.json', 'get /api/asyncapi.json'];

const contracts: [string, RouteContract][] = Object.entries(routeContracts).flatMap(([capability, routes]) =>
  Object.entries(routes).map(([name, contract]): [string, RouteContract] => [`${capability}.${name}`, contract]),
);
const key = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every method and string path of the Express app's routes, through the routers mounted in it. */
function servedRoutes(stack: Layer[]): { method: string; path: string }[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const { path, methods } = layer.route;
      if (typeof path !== 'string') return [];
      return Object.keys(methods).filter((m) => methods[m] && m !== '_all').map((method) => ({ method, path }));
    }
    return layer.handle?.stack ? servedRoutes(layer.handle.stack) : [];
  });
}

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => ({ database, server } = await startServerSuite()));
afterAll(() => stopSuite({ server, database }));

describe('the route contracts', () => {
  it('name each route once', () => {
    const keys = contracts.map(([, contract]) => key(contract));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('are all served, and every served /api route is one of them', () => {
    const router = (server.app.express as unknown as { router: { stack: Layer[] } }).router;
    const served = servedRoutes(router.stack).filter((route) => route.path.startsWith('/api/')).map(key);
    expect(served.length).toBeGreaterThan(0);
    const undocumented = served.filter((route) => !DOCUMENTATION_ROUTES.includes(route));
    expect([...undocumented].sort()).toEqual(contracts.map(([, contract]) => key(contract)).sort());
  });

  it('are exactly the operations of /api/openapi.json, with their summaries', async () => {
    const response = await fetch(`${server.baseUrl}/api/openapi.json`);
    const document = (await response.json()) as { paths: Record<string, Record<string, { summary: string }>> };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => `${method} ${path} ${operation.summary}`),
    );
    const expected = contracts.map(([, c]) => `${c.method} ${c.path.replace(/:([A-Za-z]+)/g, '{$1}')} ${c.summary}`);
    expect(documented.sort()).toEqual(expected.sort());
  });

  it.each(contracts)('%s: its path parameters are its params schema’s keys', (_name, contract) => {
    const inPath = [...contract.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]).sort();
    const shape = (contract.params as z.ZodObject | undefined)?.shape ?? {};
    expect(Object.keys(shape).sort()).toEqual(inPath);
  });
});
