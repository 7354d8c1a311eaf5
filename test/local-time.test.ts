import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';
import { seedAssociation, type SeededAssociation } from './support/fixtures.js';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import type { ApiClient } from './support/http-client.js';

/**
 * Times in the association's zone: a drill started at 08:05 in Tokyo on 1 December (23:05Z
 * on 30 November) is exported as 1 December, 08:05; an officer may move the association to
 * another zone, and the export follows it.
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
let officer: ApiClient;
let drillId: string;

const AT = new Date('2026-11-30T23:05:00Z');

beforeAll(async () => {
  ({ database, server, x } = await startSuite({ label: 'tz' }));
  y = await seedAssociation(database.db, 'tzy');
  officer = await loggedInClient(server, x.logins.officer);
  const member = await loggedInClient(server, x.logins.memberA);
  const drill = await officer.post('/api/drills', { kind: 'drill', title: '朝の訓練', targetBlockIds: [x.blocks.block1.id], deadlineAt: new Date(Date.now() + 600_000).toISOString() });
  expect(drill.status).toBe(201);
  drillId = drill.body.id;
  expect((await member.post(`/api/drills/${drillId}/answer`, { status: 'safe' })).status).toBeLessThan(300);
  expect((await officer.post(`/api/drills/${drillId}/end`)).status).toBe(200);
  // The clock of the story: started and answered at 08:05 in Tokyo, 1 December.
  await sql`update drills set started_at = ${AT} where id = ${drillId}`.execute(database.db);
  await database.db.updateTable('drill_targets').set({ answered_at: AT, first_answered_at: AT }).where('drill_id', '=', drillId).where('household_id', '=', x.households.A.id).execute();
});
afterAll(() => stopSuite({ server, database }));

async function reportCsv() {
  const response = await fetch(`${server.baseUrl}/api/drills/${drillId}/report.csv`, { headers: { cookie: officer.cookie } });
  expect(response.status).toBe(200);
  const text = (await response.text()).replace(/^\ufeff/, '');
  return { row: text.split('\r\n').find((line) => line.includes('101,山田家'))!, disposition: response.headers.get('content-disposition')! };
}

const dateIn = (zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

describe('times in the association zone', () => {
  it('says Asia/Tokyo in the session and writes the drill CSV and its file name in Tokyo time', async () => {
    expect((await officer.get('/api/session')).body.association.timeZone).toBe('Asia/Tokyo');
    const { row, disposition } = await reportCsv();
    expect(row).toContain(',2026-12-01 08:05,');
    expect(row).not.toContain('2026-11-30');
    expect(disposition).toContain('drill-2026-12-01.csv');
  });

  it('refuses a zone Intl does not know, naming the field, and lets only officers change it', async () => {
    for (const timeZone of ['Mars/Olympus', '+09:00', '', 'Asia/Tokyo\u0000']) {
      const refused = await officer.patch('/api/association', { timeZone });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body.error)).toContain('timeZone');
    }
    const captain = await loggedInClient(server, x.logins.captain1);
    expect((await captain.patch('/api/association', { timeZone: 'UTC' })).status).toBe(403);
    expect((await officer.get('/api/session')).body.association.timeZone).toBe('Asia/Tokyo');
  });

  it('follows the zone an officer sets: the CSV, its file name and the roster file name', async () => {
    const changed = await officer.patch('/api/association', { timeZone: 'america/new_york' });
    expect(changed.status).toBe(200);
    expect(changed.body.association.timeZone).toBe('America/New_York');
    const { row, disposition } = await reportCsv();
    expect(row).toContain(',2026-11-30 18:05,');
    expect(disposition).toContain('drill-2026-11-30.csv');

    // +14 and −11 hours never share a date: the roster's file name is today's date in the zone.
    for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      expect((await officer.patch('/api/association', { timeZone: zone })).status).toBe(200);
      const roster = await officer.get('/api/roster/export?encoding=utf-8');
      expect(roster.status).toBe(200);
      expect(roster.headers.get('content-disposition')).toContain(`roster-${dateIn(zone)}.csv`);
    }
    // Another association keeps its own zone.
    const officerY = await loggedInClient(server, y.logins.officer);
    expect((await officerY.get('/api/session')).body.association.timeZone).toBe('Asia/Tokyo');
  });
});
