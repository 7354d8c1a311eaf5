import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { TestDatabase } from './support/database.js';
import { connectDevice, type TestServer } from './support/server.js';
import { ApiClient } from './support/http-client.js';
import { startServerSuite } from './support/suite.js';
import { until } from './support/wait.js';
import { demo, seedDemo } from '../server/src/demo/seed.js';
import { topics } from '../devices/src/protocol.js';

/**
 * Paper and speaker homes get the whole circular, over the demo association: 100 homes in
 * 4 班, where only 101 (household@demo) and 109 (captain1@demo, 1班) have a login, and 1 in
 * 10 homes asked for paper. A home needs a printed copy when it chose paper or nobody there
 * can read it in the app; its 班長 sees those homes (their 班 only), officers every 班'.
 */

let database: TestDatabase;
let server: TestServer;
let officer: ApiClient;
let captain1: ApiClient;
let speakers: Awaited<ReturnType<typeof seedDemo>>;
const connected: MqttClient[] = [];

const login = async (identifier: string) => {
  const client = new ApiClient(server.baseUrl);
  await client.login(identifier, demo.password);
  return client;
};
const blockId = async (name: string) => (await database.db.selectFrom('blocks').select('id').where('association_id', '=', demo.associationId).where('name', '=', name).executeTakeFirstOrThrow()).id;
const householdId = async (number: string) => (await database.db.selectFrom('households').select('id').where('association_id', '=', demo.associationId).where('household_number', '=', number).executeTakeFirstOrThrow()).id;

/** A PDF file with its bytes checked by type (the upload checks the content). */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n');

async function publishWithPdf(title: string, bodyMarkdown: string) {
  const draft = await officer.post('/api/circulars', { title, bodyMarkdown });
  expect(draft.status).toBe(201);
  const attached = await officer.request('POST', `/api/circulars/${draft.body.id}/attachments?filename=map.pdf`, PDF, { 'content-type': 'application/pdf' });
  expect(attached.status).toBe(201);
  expect((await officer.post(`/api/circulars/${draft.body.id}/publish`)).status).toBe(200);
  return draft.body.id as string;
}

beforeAll(async () => {
  ({ database, server } = await startServerSuite());
  speakers = await seedDemo(database.db);
  // As main.ts does after seeding: the demo's speakers get their broker credentials (Mosquitto's dynsec in the services run).
  for (const s of speakers) await server.app.context.deps.brokerSync?.upsertDevice({ id: s.id, associationId: s.associationId, password: s.password });
  officer = await login('officer@demo.tonari.jp');
  captain1 = await login('captain1@demo.tonari.jp');
});
afterAll(async () => {
  await Promise.all(connected.map((c) => c.endAsync()));
  await server?.close();
  await database?.drop();
});

describe('the homes that need a printed copy', () => {
  it('are, in 1班, every home but the two with a login, with why; other 班 are not the 班長’s', async () => {
    const circularId = await publishWithPdf('秋祭りのお知らせ', '日程は添付の地図をご覧ください。');
    const sheet = await captain1.get(`/api/circulars/${circularId}/print?blockId=${await blockId('1班')}`);
    expect(sheet.status).toBe(200);
    expect(sheet.body.associationName).toBe(demo.associationName);
    // 1班 is homes 101, 105, …, 197 (every 4th); 101 and 109 have a member with a login.
    const expected = Array.from({ length: 25 }, (_, k) => String(101 + 4 * k)).filter((n) => n !== '101' && n !== '109');
    const homes = sheet.body.households as { householdNumber: string; reasons: string[] }[];
    expect(homes.map((h) => h.householdNumber)).toEqual(expected);
    // Homes 117, 137, … (i % 10 === 6) asked for paper; the rest have nobody in the app.
    expect(homes.filter((h) => h.reasons.includes('paper_channel')).map((h) => h.householdNumber)).toEqual(['117', '137', '157', '177', '197']);
    expect(homes.every((h) => h.reasons.includes('no_app_reader'))).toBe(true);
    expect(sheet.body.attachments).toEqual([expect.objectContaining({ filename: 'map.pdf', contentType: 'application/pdf' })]);

    // The 班長 of 1班 sees only 1班: its print sheet of 2班 does not exist, its progress has one row.
    expect((await captain1.get(`/api/circulars/${circularId}/print?blockId=${await blockId('2班')}`)).status).toBe(404);
    const own = await captain1.get(`/api/circulars/${circularId}/progress`);
    expect(own.body.byBlock.map((b: { blockName: string; paperCopies: number }) => [b.blockName, b.paperCopies])).toEqual([['1班', 23]]);
    // Officers see every 班, with a count to print for each.
    const all = await officer.get(`/api/circulars/${circularId}/progress`);
    expect(all.body.byBlock.map((b: { blockName: string; paperCopies: number }) => [b.blockName, b.paperCopies])).toEqual([['1班', 23], ['2班', 25], ['3班', 25], ['4班', 25]]);
    const officerSheet = await officer.get(`/api/circulars/${circularId}/print?blockId=${await blockId('2班')}`);
    expect(officerSheet.body.households).toHaveLength(25);
  });

  it('lose a home once someone there can read it in the app; a home that asked for paper keeps its copy', async () => {
    // 105's resident joins with the passcode the demo printed for it.
    const joined = await new ApiClient(server.baseUrl).post('/api/join', { code: demo.joinPasscode, name: '小林 新', email: 'kobayashi@example.jp', password: 'a long enough password' });
    expect(joined.status).toBe(200);
    // 117 asked for paper: a login there does not take it off the list.
    await database.db.updateTable('people').set({ email: 'matsumoto@example.jp', password_hash: 'x' }).where('household_id', '=', await householdId('117')).execute();
    const circularId = await publishWithPdf('清掃活動', '軍手をお持ちください。');
    const homes = (await captain1.get(`/api/circulars/${circularId}/print?blockId=${await blockId('1班')}`)).body.households as { householdNumber: string; reasons: string[] }[];
    expect(homes.map((h) => h.householdNumber)).not.toContain('105');
    expect(homes.find((h) => h.householdNumber === '117')?.reasons).toEqual(['paper_channel']);
    expect(homes).toHaveLength(22);
  });
});

describe('what the speaker says', () => {
  it('never points at the attachment; a home on the print list hears that its 班長 brings the paper, a home in the app where to look', async () => {
    // The demo's speakers: 101 (app and speaker, a login), 106 (speaker, nobody in the app), 107 (speaker and paper).
    const spoken = new Map<string, { id: string; text: string }[]>();
    for (const number of ['101', '106', '107']) {
      const id = await householdId(number);
      const speaker = speakers.find((s) => s.householdId === id)!;
      const client = await connectDevice(server.deviceMqttUrl, { username: speaker.id, password: speaker.password });
      connected.push(client);
      await client.subscribeAsync(topics.downlink(demo.associationId, speaker.id, 'speak'), { qos: 1 });
      spoken.set(number, []);
      client.on('message', (_topic, payload) => spoken.get(number)!.push(JSON.parse(payload.toString())));
    }
    const circularId = await publishWithPdf('防災訓練のお知らせ', '12月7日9時に公民館に集合です。\n\n詳しくは添付のPDFをご覧ください。');
    const said = async (number: string) => (await until(async () => spoken.get(number)!.find((m) => m.id === circularId), (m) => !!m))!.text;

    for (const number of ['106', '107']) {
      const text = await said(number);
      expect(text).toContain('12月7日9時に公民館に集合です。');
      expect(text).toContain('紙の回覧は班長さんがお届けします。資料が1点ついています。');
      expect(text).not.toMatch(/添付|PDF/);
    }
    const inApp = await said('101');
    expect(inApp).toContain('資料1点は、アプリでご覧になれます。');
    expect(inApp).not.toMatch(/添付|PDF|班長さんがお届け/);
    // Every home told the paper is coming is on its 班長's list.
    const sheet = await officer.get(`/api/circulars/${circularId}/print?blockId=${await blockId('3班')}`);
    expect(sheet.body.households.map((h: { householdNumber: string }) => h.householdNumber)).toContain('107');
    const sheet2 = await officer.get(`/api/circulars/${circularId}/print?blockId=${await blockId('2班')}`);
    expect(sheet2.body.households.map((h: { householdNumber: string }) => h.householdNumber)).toContain('106');
  });
});
