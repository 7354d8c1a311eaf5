import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { PASSWORD, seedAssociation } from './support/fixtures.js';
import { startServerSuite, stopSuite } from './support/suite.js';

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => ({ database, server } = await startServerSuite()));
afterAll(() => stopSuite({ server, database }));

describe('operations endpoints', () => {
  it('reports database and broker health', async () => {
    const response = await fetch(`${server.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: true, broker: true, ingest: true });
  });

  it('serves Prometheus metrics including request timings', async () => {
    await fetch(`${server.baseUrl}/api/blocks`);
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(text).toContain('tonari_http_request_duration_seconds_bucket');
    expect(text).toMatch(/tonari_http_request_duration_seconds_count\{[^}]*status="401"[^}]*\} [1-9]/);
  });

  it('documents every API route in OpenAPI 3.1 from the schemas that validate them', async () => {
    const document = await (await fetch(`${server.baseUrl}/api/openapi.json`)).json();
    expect(document.openapi).toBe('3.1.0');
    const login = document.paths['/api/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['identifier', 'password']);
    const households = document.paths['/api/households'].get;
    expect(households.parameters.map((p: { name: string }) => p.name)).toEqual(['blockId', 'q', 'limit', 'offset']);
    expect(document.paths['/api/households/{id}'].patch.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(Object.keys(document.paths['/api/roster/import'].post.requestBody.content)).toEqual(['text/csv']);
    expect(document.paths['/api/roster/import'].post.responses['413']).toBeDefined();
  });

  it('documents the device protocol in AsyncAPI 3.0 from the device schemas', async () => {
    const document = await (await fetch(`${server.baseUrl}/api/asyncapi.json`)).json();
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.channels.up_heartbeat.address).toBe('tonari/{associationId}/{deviceId}/up/heartbeat');
    expect(document.components.messages.heartbeat.payload.required).toContain('bootId');
    expect(document.channels.down_prompt.address).toBe('tonari/{associationId}/{deviceId}/down/prompt');
    expect(document.components.messages.down_prompt.payload.properties.buttons.items.enum).toEqual(['safe', 'help']);
  });

  it('answers an unknown API route with a JSON 404, and never a stack trace', async () => {
    const response = await fetch(`${server.baseUrl}/api/nope`);
    expect(response.status).toBe(404);
    const body = await response.json();
    expect(body.error.code).toBe('not_found');
    expect(JSON.stringify(body)).not.toContain('at ');
  });

  it('rejects bad input with 400 naming the field, after checking who is asking', async () => {
    expect((await fetch(`${server.baseUrl}/api/households/not-an-id`)).status).toBe(401);
    const { logins } = await seedAssociation(database.db);
    const officer = new ApiClient(server.baseUrl);
    await officer.login(logins.officer, PASSWORD);
    const badId = await officer.get('/api/households/not-an-id');
    expect(badId.status).toBe(400);
    expect(badId.body.error.field).toBe('id');
    const badBody = await officer.post('/api/households', { householdNumber: '9', name: '', address: 'x', blockId: '00000000-0000-4000-8000-000000000000', channels: ['fax'] });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.issues.map((i: { field: string }) => i.field)).toEqual(['name', 'channels.0']);
    const badQuery = await officer.get('/api/households?limit=100000');
    expect(badQuery.body.error.field).toBe('limit');
  });
});
