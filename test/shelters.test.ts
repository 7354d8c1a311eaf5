import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './support/database.js';
import type { TestServer } from './support/server.js';
import type { ApiClient } from './support/http-client.js';
import { seedAssociation, type SeededAssociation } from './support/fixtures.js';
import { loggedInClient, startSuite, stopSuite } from './support/suite.js';
import { answerFromSpeaker } from '../server/src/drills/answer.service.js';

/**
 * Shelters end to end over HTTP: the GSI and municipal CSVs (UTF-8, BOM, Shift_JIS) with a
 * preview, errors by line, a re-import that updates rather than duplicates, who may do what,
 * and an "evacuated" answer naming a shelter — on the dashboard's headcount, the report and
 * its CSV. Fixtures: test/fixtures/shelters (README says where each row comes from).
 */
let database: TestDatabase;
let server: TestServer;
let x: SeededAssociation;
let y: SeededAssociation;
let officer: ApiClient;
let memberA: ApiClient;
let captain1: ApiClient;
let captain2: ApiClient;
let otherOfficer: ApiClient;

const fixture = (name: string) => readFileSync(path.resolve('test/fixtures/shelters', name));

beforeAll(async () => {
  ({ database, server, x } = await startSuite({ label: 'sh' }));
  y = await seedAssociation(database.db, 'sh-other');
  [officer, memberA, captain1, captain2, otherOfficer] = await Promise.all([
    loggedInClient(server, x.logins.officer), loggedInClient(server, x.logins.memberA), loggedInClient(server, x.logins.captain1),
    loggedInClient(server, x.logins.captain2), loggedInClient(server, y.logins.officer),
  ]);
});
afterAll(() => stopSuite({ server, database }));

const countShelters = async (associationId: string) =>
  Number((await database.db.selectFrom('shelters').select((eb) => eb.fn.countAll<string>().as('n')).where('association_id', '=', associationId).executeTakeFirstOrThrow()).n);

describe('shelter import', () => {
  it('previews the GSI file without writing, then saves the Shift_JIS copy of it', async () => {
    const preview = await officer.request('POST', '/api/shelters/import?mode=preview', fixture('gsi-13101.csv'));
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ committed: false, encoding: 'utf-8', format: 'gsi', rows: 3, errors: [], summary: { created: 3, updated: 0, unchanged: 0, listed: 3 } });
    expect(preview.body.items[0]).toMatchObject({ line: 2, sourceId: 'E1310100002201', name: '番町小学校', hazards: ['flood', 'storm_surge', 'earthquake', 'inland_flood'], change: 'create' });
    expect(await countShelters(x.association.id)).toBe(0);

    const saved = await officer.request('POST', '/api/shelters/import?mode=commit', fixture('gsi-13101.sjis.csv'));
    expect(saved.body).toMatchObject({ committed: true, encoding: 'shift_jis', format: 'gsi', summary: { created: 3 } });
    const list = await officer.get('/api/shelters');
    expect(list.body.items).toHaveLength(3);
    expect(list.body.items.find((s: { sourceId: string }) => s.sourceId === 'E1310100002201')).toMatchObject({
      name: '番町小学校', address: '東京都千代田区六番町8', latitude: 35.688111802263, longitude: 139.73407899331,
      hazards: ['flood', 'storm_surge', 'earthquake', 'inland_flood'], alsoEvacuationCentre: true, capacity: null, listed: true,
    });
    const audit = await database.db.selectFrom('audit_log').select('action').where('association_id', '=', x.association.id).where('action', '=', 'shelters.imported').execute();
    expect(audit).toHaveLength(1);
  });

  it('re-imports by the source id: unchanged rows stay, a changed one is updated, none duplicated', async () => {
    const again = await officer.request('POST', '/api/shelters/import?mode=commit', fixture('gsi-13101.csv'));
    expect(again.body.summary).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    const renamed = fixture('gsi-13101.csv').toString('utf8').replace('六番町広場（試験用の派生行）', '六番町ひろば（試験用の派生行）');
    const changed = await officer.request('POST', '/api/shelters/import?mode=commit', Buffer.from(renamed));
    expect(changed.body.summary).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
    expect(await countShelters(x.association.id)).toBe(3);
    expect((await officer.get('/api/shelters')).body.items.map((s: { name: string }) => s.name)).toContain('六番町ひろば（試験用の派生行）');
  });

  it('lists for this association the municipal rows that name it, and keeps the others unlisted', async () => {
    const text = fixture('municipal-092011.csv').toString('utf8').replaceAll('中央本町自治会', x.association.name);
    const saved = await officer.request('POST', '/api/shelters/import?mode=commit', Buffer.from(text));
    expect(saved.body).toMatchObject({ committed: true, format: 'municipal', encoding: 'utf-8', summary: { created: 3, listed: 2 } });
    const all = (await officer.get('/api/shelters')).body.items as { sourceId: string; listed: boolean; capacity: number | null; kana: string }[];
    expect(all.find((s) => s.sourceId === '92011-1')).toMatchObject({ listed: false, kana: 'チュウオウショウガッコウ' });
    expect(all.find((s) => s.sourceId === '92011-901')).toMatchObject({ listed: true, capacity: 1200 });
    // A resident sees the listed ones only: the GSI three and the two naming the association.
    const mine = (await memberA.get('/api/shelters')).body.items as { sourceId: string }[];
    expect(mine.map((s) => s.sourceId).sort()).toEqual(['92011-901', '92011-902', 'E1310100002201', 'E1310100990001', 'E1310100990002']);
    // Another association sees none of them.
    expect((await otherOfficer.get('/api/shelters')).body.items).toEqual([]);
  });

  it('reports every bad row by line and column and saves nothing', async () => {
    const header = 'NO,共通ID,施設・場所名,住所,洪水,崖崩れ、土石流及び地滑り,高潮,地震,津波,大規模な火事,内水氾濫,火山現象,指定避難所との住所同一,緯度,経度,備考';
    const rows = [
      '1,E9,良い広場,京田辺市,,,,1,,,,,,34.8,135.76,',
      '2,E10,,京田辺市,,,,1,,,,,,34.8,135.76,', // line 3: no name
      '3,E11,緯度なし広場,京田辺市,,,,1,,,,,,北緯34度,135.76,', // line 4: not a number
      '4,E12,経度違い広場,京田辺市,,,,1,,,,,,34.8,999,', // line 5: out of range
      '5,E9,重複広場,京田辺市,,,,1,,,,,,34.8,135.76,', // line 6: the id of line 2 again
    ];
    const before = await countShelters(x.association.id);
    const response = await officer.request('POST', '/api/shelters/import?mode=commit', Buffer.from([header, ...rows].join('\n')));
    expect(response.status).toBe(200);
    expect(response.body.committed).toBe(false);
    expect(response.body.errors.map((e: { line: number; column: string }) => [e.line, e.column])).toEqual([[3, '施設・場所名'], [4, '緯度'], [5, '経度'], [6, '共通ID']]);
    const capacity = await officer.request('POST', '/api/shelters/import', Buffer.from('ID,名称,住所,緯度,経度,想定収容人数\n1,公園,京田辺市,34.8,135.7,たくさん\n'));
    expect(capacity.body.errors).toEqual([{ line: 2, column: '想定収容人数', message: expect.stringContaining('not a number') }]);
    const unknown = await officer.request('POST', '/api/shelters/import', Buffer.from('name,address\nx,y\n'));
    expect(unknown.body.errors[0]).toMatchObject({ line: 1, message: expect.stringContaining('neither') });
    expect(await countShelters(x.association.id)).toBe(before);
  });

  it('refuses an oversize file (413), an empty one (400), and everyone but officers (403)', async () => {
    const huge = await officer.request('POST', '/api/shelters/import', Buffer.alloc(6 * 1024 * 1024, 0x41));
    expect(huge.status).toBe(413);
    expect((await officer.request('POST', '/api/shelters/import', Buffer.alloc(0))).status).toBe(400);
    for (const client of [memberA, captain1]) {
      expect((await client.request('POST', '/api/shelters/import?mode=commit', fixture('gsi-13101.csv'))).status).toBe(403);
    }
    const id = (await officer.get('/api/shelters')).body.items[0].id;
    expect((await captain1.patch(`/api/shelters/${id}`, { listed: false })).status).toBe(403);
    expect((await memberA.request('DELETE', `/api/shelters/${id}`)).status).toBe(403);
    // Another association's officer: not theirs, not there.
    expect((await otherOfficer.patch(`/api/shelters/${id}`, { listed: false })).status).toBe(404);
    expect((await otherOfficer.request('DELETE', `/api/shelters/${id}`)).status).toBe(404);
  });

  it('officers unlist, list again and delete a shelter, each audited', async () => {
    const target = (await officer.get('/api/shelters')).body.items.find((s: { sourceId: string }) => s.sourceId === 'E1310100990001');
    const unlisted = await officer.patch(`/api/shelters/${target.id}`, { listed: false });
    expect(unlisted.body).toMatchObject({ id: target.id, listed: false });
    expect((await memberA.get('/api/shelters')).body.items.map((s: { id: string }) => s.id)).not.toContain(target.id);
    expect((await officer.patch(`/api/shelters/${target.id}`, { listed: true })).body.listed).toBe(true);
    expect((await officer.request('DELETE', `/api/shelters/${target.id}`)).status).toBe(200);
    expect((await officer.get('/api/shelters')).body.items.map((s: { id: string }) => s.id)).not.toContain(target.id);
    const actions = (await database.db.selectFrom('audit_log').select('action').where('subject', '=', target.id).orderBy('at').execute()).map((a) => a.action);
    expect(actions.sort()).toEqual(['shelter.deleted', 'shelter.listed', 'shelter.unlisted']);
  });
});

describe('an "evacuated" answer names a shelter', () => {
  it('is counted per shelter on the dashboard (scoped by 班), in the report and its CSV', async () => {
    const shelters = (await officer.get('/api/shelters')).body.items as { id: string; sourceId: string; name: string; listed: boolean }[];
    const banchō = shelters.find((s) => s.sourceId === 'E1310100002201')!;
    const unlisted = shelters.find((s) => !s.listed)!;
    const foreign = (await otherOfficer.request('POST', '/api/shelters/import?mode=commit', fixture('gsi-13101.csv'))).body;
    expect(foreign.committed).toBe(true);
    const foreignId = (await otherOfficer.get('/api/shelters')).body.items[0].id;

    const started = await officer.post('/api/drills', {
      kind: 'drill', title: '避難訓練', message: '', targetBlockIds: null, announced: true, deadlineAt: new Date(Date.now() + 600_000).toISOString(),
    });
    expect(started.status).toBe(201);
    const drillId = started.body.id;
    const answer = (body: unknown) => memberA.post(`/api/drills/${drillId}/answer`, body);

    // Refused, each naming shelterId: not evacuated, another association's, an unlisted one.
    for (const body of [
      { status: 'safe', where: 'home', shelterId: banchō.id },
      { status: 'safe', where: 'evacuated', shelterId: foreignId },
      { status: 'safe', where: 'evacuated', shelterId: unlisted.id },
    ]) {
      const refused = await answer(body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.field).toBe('shelterId');
    }
    const ok = await answer({ status: 'safe', where: 'evacuated', shelterId: banchō.id });
    expect(ok.status).toBe(200);
    expect(ok.body.answer).toMatchObject({ where: 'evacuated', shelterId: banchō.id, shelterName: '番町小学校' });

    // Household B (2班), confirmed in person by its 班長: evacuated, shelter not known.
    const proxy = await captain2.post(`/api/drills/${drillId}/proxy`, { householdId: x.households.B.id, status: 'safe', where: 'evacuated' });
    expect(proxy.status).toBe(200);

    const people = async (householdId: string) =>
      Number((await database.db.selectFrom('people').select((eb) => eb.fn.countAll<string>().as('n')).where('household_id', '=', householdId).where('lives_elsewhere', '=', false).executeTakeFirstOrThrow()).n);
    const dashboard = await officer.get(`/api/drills/${drillId}/dashboard`);
    expect(dashboard.body.byShelter).toEqual([
      { shelterId: banchō.id, name: '番町小学校', households: 1, people: await people(x.households.A.id) },
      { shelterId: null, name: null, households: 1, people: await people(x.households.B.id) },
    ]);
    // A 班長 sees their 班's only.
    expect((await captain1.get(`/api/drills/${drillId}/dashboard`)).body.byShelter).toEqual([{ shelterId: banchō.id, name: '番町小学校', households: 1, people: await people(x.households.A.id) }]);
    expect((await captain2.get(`/api/drills/${drillId}/dashboard`)).body.byShelter).toEqual([{ shelterId: null, name: null, households: 1, people: await people(x.households.B.id) }]);

    // A rename by re-import shows at once (the dashboard made before is not served again).
    const renamed = fixture('gsi-13101.csv').toString('utf8').replace(',番町小学校,', ',番町小学校（改称）,');
    expect((await officer.request('POST', '/api/shelters/import?mode=commit', Buffer.from(renamed))).body.committed).toBe(true);
    expect((await officer.get(`/api/drills/${drillId}/dashboard`)).body.byShelter[0].name).toBe('番町小学校（改称）');

    // The history keeps the shelter each answer named.
    const history = await database.db.selectFrom('drill_answers').select(['household_id', 'location', 'shelter_id']).where('drill_id', '=', drillId).orderBy('id').execute();
    expect(history).toEqual([
      { household_id: x.households.A.id, location: 'evacuated', shelter_id: banchō.id },
      { household_id: x.households.B.id, location: 'evacuated', shelter_id: null },
    ]);

    const ended = await officer.post(`/api/drills/${drillId}/end`);
    expect(ended.status).toBe(200);
    expect(ended.body.byShelter).toEqual(dashboard.body.byShelter.map((s: { name: string | null }) => (s.name ? { ...s, name: '番町小学校（改称）' } : s)));
    const csv = await officer.get(`/api/drills/${drillId}/report.csv`);
    expect(csv.text.split('\r\n')[0]).toContain('避難先');
    expect(csv.text).toMatch(/山田家.*番町小学校（改称）/);
  });

  it("a press of the home speaker puts the household at home: help goes there, not to the shelter named before", async () => {
    const shelterId = (await officer.get('/api/shelters')).body.items.find((s: { listed: boolean }) => s.listed).id;
    const started = await officer.post('/api/drills', {
      kind: 'real', title: '地震', message: '', targetBlockIds: [x.blocks.block1.id], announced: true, deadlineAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const drillId = started.body.id;
    expect((await memberA.post(`/api/drills/${drillId}/answer`, { status: 'safe', where: 'evacuated', shelterId })).status).toBe(200);
    expect((await officer.get(`/api/drills/${drillId}/dashboard`)).body.byShelter).toMatchObject([{ shelterId, households: 1 }]);
    await answerFromSpeaker(server.app.context, { householdId: x.households.A.id, promptId: drillId, button: 'help' });
    expect((await memberA.get('/api/drills/mine')).body.items.find((d: { drill: { id: string } }) => d.drill.id === drillId).answer)
      .toMatchObject({ status: 'needs_help', where: 'home', shelterId: null });
    const dashboard = (await officer.get(`/api/drills/${drillId}/dashboard`)).body;
    expect(dashboard.byShelter).toEqual([]);
    expect(dashboard.needsFollowUp.map((t: { householdNumber: string }) => t.householdNumber)).toContain(x.households.A.household_number);
    await officer.post(`/api/drills/${drillId}/end`);
  });

  it('a visit can record that the household evacuated, and where', async () => {
    const shelterId = (await officer.get('/api/shelters')).body.items.find((s: { listed: boolean }) => s.listed).id;
    const started = await officer.post('/api/drills', {
      kind: 'real', title: '地震', message: '', targetBlockIds: [x.blocks.block1.id], announced: true, deadlineAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const drillId = started.body.id;
    const visit = await captain1.post(`/api/drills/${drillId}/visit`, { householdId: x.households.C.id, outcome: 'safe', where: 'evacuated', shelterId });
    expect(visit.status).toBe(200);
    expect(visit.body.answer).toMatchObject({ where: 'evacuated', shelterId, channel: 'visit' });
    const dashboard = await officer.get(`/api/drills/${drillId}/dashboard`);
    expect(dashboard.body.byShelter).toMatchObject([{ shelterId, households: 1 }]);
    await officer.post(`/api/drills/${drillId}/end`);
  });
});
