import { hashPassword } from '../../../server/src/auth/password.js';
import type { Db } from '../../../server/src/platform/db/database.js';
import { generateDeviceSecret, hashDeviceSecret } from '../../../server/src/devices/device-credentials.js';
import { insertDevice } from '../../../server/src/devices/device.repository.js';
import { insertBlock } from '../../../server/src/roster/roster.repository.js';
import type { AssignedRole, Channel } from '../../../server/src/roster/roster.tables.js';
import { seededRandom, shuffle, type Random } from '../simulator-patterns.js';
import type { TownOptions } from './town-options.js';

/**
 * The town: households in associations and 班, with the pilot's target channel mix, the
 * people in them, a 班長 with a login per 班, volunteers and officers per association. The
 * plan is a pure function of the options (the seed); `seedTown` writes it into the tables.
 */

/** How a household can be reached: 'none' is on no list at all (no app, no speaker, no paper). */
export type TownChannel = 'app' | 'speaker' | 'paper' | 'none';
export const townChannels: readonly TownChannel[] = ['app', 'speaker', 'paper', 'none'];
/** The pilot's target mix. */
export const channelMix: Record<TownChannel, number> = { app: 0.55, speaker: 0.25, paper: 0.15, none: 0.05 };
export const TOWN_PASSWORD = 'town-simulation';

/** What the household does when asked (simulated ms after the start, or never). */
export type Response = { kind: 'answers'; afterMs: number } | { kind: 'never' };
export type SpeakerScenario = 'normal' | 'late' | 'never';

export interface TownHousehold {
  index: number;
  association: number;
  block: number;
  number: string;
  name: string;
  channel: TownChannel;
  people: number;
  /** App homes: when the resident answers. */
  response: Response;
  /** Speaker homes: the device simulator's scenario. */
  speaker?: SpeakerScenario;
  /** The app household's member with a login. */
  login?: string;
  /** Filled in by seedTown. */
  id?: string;
  /** Speaker homes: their device. */
  device?: { id: string; password: string };
}

export interface TownStaff {
  association: number;
  role: 'captain' | 'volunteer' | 'welfare_commissioner' | 'officer';
  /** A captain's 班. */
  block?: number;
  login: string;
  /** Simulated ms a walk to a door takes: min and max. */
  walkMs: [number, number];
  /** A captain is the login member of this household. */
  household?: number;
}

export interface TownPlan {
  associations: { index: number; name: string; blocks: { index: number; name: string; id?: string }[]; id?: string }[];
  households: TownHousehold[];
  staff: TownStaff[];
}

const surnames = ['山田', '佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '中村', '小林', '加藤', '吉田', '山本', '松本', '井上', '木村', '林', '清水', '山口', '森', '池田', '橋本', '石川', '前田', '藤田'];
const given = ['花子', '太郎', '幸子', '茂', '和子', '博', '節子', '清', '美咲', '健一', '恵子', '誠'];
const MIN = 60_000;

const between = (random: Random, min: number, max: number) => min + random() * (max - min);

/** Residents of app homes: most within minutes, some after the deadline, some never. */
function appResponse(random: Random): Response {
  const r = random();
  if (r < 0.7) return { kind: 'answers', afterMs: between(random, 0.5 * MIN, 5 * MIN) };
  if (r < 0.85) return { kind: 'answers', afterMs: between(random, 5 * MIN, 10 * MIN) };
  if (r < 0.93) return { kind: 'answers', afterMs: between(random, 10 * MIN, 25 * MIN) };
  return { kind: 'never' };
}

/**
 * Speaker homes play the device simulator's scenarios: normal (the button within a minute),
 * late (10–20 minutes: usually after the prompt expired at the deadline) and never.
 */
function speakerScenario(random: Random): SpeakerScenario {
  const r = random();
  return r < 0.8 ? 'normal' : r < 0.92 ? 'late' : 'never';
}

/** 1 person (lives alone) 30%, 2: 40%, 3: 20%, 4: 10%. */
function peopleIn(random: Random): number {
  const r = random();
  return r < 0.3 ? 1 : r < 0.7 ? 2 : r < 0.9 ? 3 : 4;
}

/** Exactly the mix's counts (rounded; the rest are app), shuffled over the town. */
function channelsFor(count: number, random: Random): TownChannel[] {
  const speaker = Math.round(count * channelMix.speaker);
  const paper = Math.round(count * channelMix.paper);
  const none = Math.round(count * channelMix.none);
  const all: TownChannel[] = [
    ...Array<TownChannel>(count - speaker - paper - none).fill('app'),
    ...Array<TownChannel>(speaker).fill('speaker'),
    ...Array<TownChannel>(paper).fill('paper'),
    ...Array<TownChannel>(none).fill('none'),
  ];
  return shuffle(all, random);
}

export function planTown(options: Pick<TownOptions, 'households' | 'associations' | 'seed' | 'perBlock'>): TownPlan {
  const random = seededRandom(options.seed);
  const channels = channelsFor(options.households, random);
  const plan: TownPlan = { associations: [], households: [], staff: [] };
  let index = 0;
  for (let a = 0; a < options.associations; a++) {
    const count = Math.floor(options.households / options.associations) + (a < options.households % options.associations ? 1 : 0);
    const blockCount = Math.max(1, Math.round(count / options.perBlock));
    plan.associations.push({ index: a, name: `第${a + 1}町 自治会 (町シミュレーション)`, blocks: Array.from({ length: blockCount }, (_, b) => ({ index: b, name: `${b + 1}班` })) });
    const first = index;
    for (let i = 0; i < count; i++, index++) {
      const channel = channels[index]!;
      const block = Math.floor((i * blockCount) / count);
      plan.households.push({
        index, association: a, block, channel,
        number: `${a + 1}-${String(101 + i)}`,
        name: `${surnames[Math.floor(random() * surnames.length)]}家`,
        people: peopleIn(random),
        response: channel === 'app' ? appResponse(random) : { kind: 'never' },
        speaker: channel === 'speaker' ? speakerScenario(random) : undefined,
        login: channel === 'app' ? `h${a + 1}-${i + 1}@town.tonari.jp` : undefined,
      });
    }
    const walk = (min: number, max: number): [number, number] => [min * MIN, max * MIN];
    for (let b = 0; b < blockCount; b++) {
      const homes = plan.households.slice(first).filter((h) => h.association === a && h.block === b);
      // The 班長 lives in the 班 and answers for their own home in the app: their home is an app
      // home (a 班 that drew none gets its first home turned into one).
      let home = homes.find((h) => h.channel === 'app');
      if (!home) {
        home = homes[0]!;
        home.channel = 'app';
        home.response = appResponse(random);
        home.login = `h${a + 1}-${home.index - first + 1}@town.tonari.jp`;
      }
      // A 班長 answers their own home at once: they are about to walk the block.
      home.response = { kind: 'answers', afterMs: between(random, 0.2 * MIN, 1 * MIN) };
      plan.staff.push({ association: a, role: 'captain', block: b, login: home.login!, household: home.index, walkMs: walk(2, 5) });
    }
    const volunteers = Math.max(2, Math.round(blockCount / 4));
    for (let v = 0; v < volunteers; v++) plan.staff.push({ association: a, role: 'volunteer', login: `v${a + 1}-${v + 1}@town.tonari.jp`, walkMs: walk(3, 6) });
    plan.staff.push({ association: a, role: 'welfare_commissioner', login: `w${a + 1}@town.tonari.jp`, walkMs: walk(3, 6) });
    for (let o = 0; o < 3; o++) plan.staff.push({ association: a, role: 'officer', login: `o${a + 1}-${o + 1}@town.tonari.jp`, walkMs: walk(3, 6) });
  }
  return plan;
}

/**
 * The household's channels as the roster keeps them. The roster needs at least one: a home
 * reachable by no channel is the uptake gap, listed as an app home whose members never
 * registered (no login, no push subscription), with no speaker and not on the paper list.
 * tonari asks it like any app home and nobody hears; at the deadline it goes to its 班長.
 */
function rosterChannels(channel: TownChannel): Channel[] {
  return channel === 'none' ? ['app'] : [channel];
}

/**
 * Writes the plan into the tables (bulk inserts for the 1,200 homes and their people; the
 * 班 and speakers through the roster's and devices' repository functions) and fills in the
 * ids and the speakers' passwords.
 */
export async function seedTown(db: Db, plan: TownPlan, seed: number): Promise<void> {
  const passwordHash = await hashPassword(TOWN_PASSWORD);
  const nameOf = (h: TownHousehold, m: number) => `${h.name.replace(/家$/, '')} ${given[(h.index + m * 5) % given.length]}`;
  for (const association of plan.associations) {
    const row = await db
      .insertInto('associations')
      .values({ name: association.name, slug: `town-${seed}-${association.index + 1}-${Date.now().toString(36)}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    association.id = row.id;
    for (const block of association.blocks) block.id = (await insertBlock(db, { associationId: row.id, name: block.name, sortOrder: block.index + 1 })).id;
  }
  const associationId = (a: number) => plan.associations[a]!.id!;
  const blockId = (h: { association: number; block: number }) => plan.associations[h.association]!.blocks[h.block]!.id!;

  for (let from = 0; from < plan.households.length; from += 500) {
    const chunk = plan.households.slice(from, from + 500);
    const rows = await db
      .insertInto('households')
      .values(chunk.map((h) => ({
        association_id: associationId(h.association), block_id: blockId(h), household_number: h.number, name: h.name,
        address: `町${h.association + 1}丁目${h.block + 1}-${h.index + 1}`, channels: rosterChannels(h.channel),
        responder_notes: h.channel === 'none' ? 'アプリ未登録・スピーカーなし・紙の回覧なし (unregistered, no speaker, no paper)' : '',
      })))
      .returning('id')
      .execute();
    chunk.forEach((h, i) => (h.id = rows[i]!.id));
    // The first member of an app home has the login; the others have none.
    const people = chunk.flatMap((h) =>
      Array.from({ length: h.people }, (_, m) => ({
        association_id: associationId(h.association), household_id: h.id!, name: nameOf(h, m),
        email: m === 0 && h.login ? h.login : null, password_hash: m === 0 && h.login ? passwordHash : null,
      })),
    );
    await db.insertInto('people').values(people).execute();
  }

  const staffPeople = plan.staff.filter((s) => s.role !== 'captain');
  const inserted = staffPeople.length
    ? await db
        .insertInto('people')
        .values(staffPeople.map((s, i) => ({ association_id: associationId(s.association), name: `${s.role === 'officer' ? '役員' : s.role === 'volunteer' ? '見守り' : '民生委員'} ${surnames[i % surnames.length]} ${given[i % given.length]}`, email: s.login, password_hash: passwordHash })))
        .returning(['id', 'email'])
        .execute()
    : [];
  const captains = await db.selectFrom('people').select(['id', 'email']).where('email', 'in', plan.staff.filter((s) => s.role === 'captain').map((s) => s.login)).execute();
  const personOf = new Map([...inserted, ...captains].map((p) => [p.email!, p.id]));
  await db
    .insertInto('role_assignments')
    .values(plan.staff.map((s) => ({
      association_id: associationId(s.association), person_id: personOf.get(s.login)!, role: s.role as AssignedRole,
      block_id: s.role === 'captain' ? blockId({ association: s.association, block: s.block! }) : null,
    })))
    .execute();

  for (const h of plan.households.filter((h) => h.channel === 'speaker')) {
    const password = generateDeviceSecret();
    const device = await insertDevice(db, { associationId: associationId(h.association), householdId: h.id!, label: `スピーカー ${h.number}`, secretHash: hashDeviceSecret(password) });
    h.device = { id: device.id, password };
  }
}
