import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Dashboard, DrillSummary } from '../../../server/src/contracts/drills.js';
import type { Db } from '../../../server/src/platform/db/database.js';
import { seededRandom } from '../simulator-patterns.js';
import type { SimulatedDevice } from '../simulated-device.js';
import { startSession } from '../../../server/src/auth/session.service.js';
import { inParallel, TownSession } from './town-client.js';
import { resident, speaker, SpeakerTime, TownClock, walker, type Visit } from './town-actors.js';
import type { TownOptions } from './town-options.js';
import { outcomeRows, type TownOutcome } from './town-report.js';
import { planTown, seedTown, TOWN_PASSWORD, type TownPlan } from './town-seed.js';
import { startTownServer } from './town-server.js';

const MIN = 60_000;

export interface TownSample {
  minute: number;
  /** Accounted per association, as its officer's dashboard shows it. */
  accounted: number[];
}

export interface TownResult {
  options: TownOptions;
  plan: TownPlan;
  drills: DrillSummary[];
  /** One row per household, from the drill's targets. */
  outcome: TownOutcome[];
  visits: Visit[];
  samples: TownSample[];
  errors: string[];
  /** HTTP requests tried again after a 503 (the database pool was busy). */
  retries: number;
  /** Real seconds: setting up (seed, server, logins, speakers) and the drill. */
  realSeconds: { setup: number; drill: number };
}

/**
 * The town simulation: seeds the town into `database`, starts tonari on it in this process,
 * logs everyone in, connects the speakers, starts one drill per association (officers, HTTP)
 * and runs the residents, speakers and walkers on the accelerated clock until every
 * household is accounted for or the window closes; then ends the drills.
 */
export async function runTown(database: { db: Db; url: string }, options: TownOptions, print: (line: string) => void = () => undefined): Promise<TownResult> {
  const setupStarted = Date.now();
  const say = (line: string) => print(`${`${((Date.now() - setupStarted) / 1000).toFixed(0)} s`.padStart(6)}  ${line}`);
  const errors: string[] = [];
  const events = { error: (message: string) => void (errors.length < 1000 && errors.push(message)) };
  const plan = planTown(options);
  await seedTown(database.db, plan, options.seed);
  say(`seeded ${plan.households.length} households, ${plan.associations.reduce((n, a) => n + a.blocks.length, 0)} 班, ${plan.staff.length} 班長, volunteers and officers`);

  const server = await startTownServer(database);
  const clock = new TownClock(options.speed);
  const devices: SimulatedDevice[] = [];
  const random = seededRandom(options.seed ^ 0x5eed);
  try {
    // Logins. 班長, volunteers and officers log in through the login page (POST /api/auth/login).
    // Residents' phones were logged in before the drill: their sessions are made by the
    // same startSession the login route calls once the password is checked, without 600
    // password hashes (argon2, ~19 MiB each) on a 2-core machine before the drill can start.
    const sessions = new Map<string, TownSession>();
    const staffLogins = [...new Set(plan.staff.map((s) => s.login))];
    await inParallel(staffLogins, 4, async (login) => void sessions.set(login, await new TownSession(server.baseUrl, login).logIn(TOWN_PASSWORD)));
    const residents = plan.households.filter((h) => h.login && !sessions.has(h.login));
    const people = await database.db.selectFrom('people').select(['id', 'email', 'association_id']).where('email', 'in', residents.map((h) => h.login!)).execute();
    const ctx = { db: database.db, sessionTtlHours: 24, realtime: server.app.realtime };
    await inParallel(people, 8, async (p) => {
      const { token, actor } = await startSession(ctx, p.id, p.association_id);
      sessions.set(p.email!, new TownSession(server.baseUrl, p.email!).resume(token, actor.csrfToken));
    });
    say(`${staffLogins.length} 班長, volunteers and officers logged in; ${people.length} residents' phones logged in`);

    // Speakers: one MQTT connection each; the drill starts once they are all online.
    const time = new SpeakerTime(Date.now(), options.speed);
    for (const h of plan.households.filter((h) => h.device)) {
      const device = speaker(h, { id: plan.associations[h.association]!.id! }, server.mqttUrl, time, Math.floor(random() * 2 ** 32), events);
      devices.push(device);
      device.start();
    }
    const online = Date.now() + 60_000;
    while (devices.some((d) => !d.online) && Date.now() < online) await new Promise((r) => setTimeout(r, 200));
    if (devices.some((d) => !d.online)) events.error(`${devices.filter((d) => !d.online).length} speakers did not come online`);
    say(`${devices.filter((d) => d.online).length} speakers online`);
    // Give the server a moment to mark them online from their status messages.
    await new Promise((r) => setTimeout(r, 1500));

    // ── The drill ──────────────────────────────────────────────────────────────────────
    const officerOf = (a: number) => sessions.get(plan.staff.find((s) => s.association === a && s.role === 'officer')!.login)!;
    const seconds = (minutes: number) => Math.max(1, Math.round((minutes * 60) / options.speed));
    const volunteersAfterSeconds = seconds(options.volunteersAfterMinutes);
    const officersAfterSeconds = Math.max(volunteersAfterSeconds + 1, seconds(options.officersAfterMinutes));
    const setupSeconds = (Date.now() - setupStarted) / 1000;
    clock.start();
    const deadlineAt = clock.realAt(options.deadlineMinutes * MIN).toISOString();
    const drills: DrillSummary[] = [];
    for (const a of plan.associations) {
      drills.push(
        await officerOf(a.index).post<DrillSummary>('/api/drills', {
          kind: 'drill', title: '町シミュレーション 安否確認訓練', message: '大きな地震がありました', targetBlockIds: null, deadlineAt, volunteersAfterSeconds, officersAfterSeconds,
        }),
      );
    }
    say(`drill started in ${drills.length} associations: deadline at ${options.deadlineMinutes} min, volunteers ${options.volunteersAfterMinutes} min and officers ${options.officersAfterMinutes} min after it`);

    const visits: Visit[] = [];
    const actors: Promise<void>[] = [];
    for (const h of plan.households) if (h.login && h.response.kind === 'answers') actors.push(resident(clock, sessions.get(h.login)!, h, seededRandom(Math.floor(random() * 2 ** 32)), events));
    for (const s of plan.staff) {
      actors.push(walker(clock, sessions.get(s.login)!, s, drills[s.association]!.id, seededRandom(Math.floor(random() * 2 ** 32)), visits, events));
    }

    // Every simulated minute, each association's officer looks at the dashboard.
    const samples: TownSample[] = [];
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    const total = plan.households.length;
    for (let minute = 1; minute <= Math.ceil(options.minutes); minute++) {
      await clock.sleep(minute * MIN - clock.now());
      let dashboards: Dashboard[];
      try {
        dashboards = await Promise.all(plan.associations.map((a) => officerOf(a.index).get<Dashboard>(`/api/drills/${drills[a.index]!.id}/dashboard`)));
      } catch (error) {
        events.error(`minute ${minute}: ${String(error)}`);
        continue;
      }
      const sample = { minute, accounted: dashboards.map((d) => d.counts.accounted) };
      samples.push(sample);
      const accounted = sample.accounted.reduce((n, x) => n + x, 0);
      if (minute % 5 === 0 || accounted === total) {
        const all = [...sessions.values()];
        const requests = all.reduce((n, s) => n + s.requests, 0);
        const ms = all.reduce((n, s) => n + s.requestMs, 0);
        say(
          `  ${String(minute).padStart(3)} min  ${percent(accounted, total).padStart(6)}  (${accounted}/${total})  · ` +
            `${requests} HTTP requests, mean ${requests ? Math.round(ms / requests) : 0} ms · event loop delay p99 ${Math.round(loop.percentile(99) / 1e6)} ms`,
        );
        loop.reset();
      }
      if (accounted === total) break;
    }
    const drillSeconds = clock.now() / options.speed / 1000;
    clock.stop();
    await Promise.all(actors);
    const outcome = await outcomeRows(database.db, drills.map((d) => d.id), clock.started, options.speed);
    for (const a of plan.associations) await officerOf(a.index).post(`/api/drills/${drills[a.index]!.id}/end`).catch((e: unknown) => events.error(String(e)));
    const retries = [...sessions.values()].reduce((n, s) => n + s.retries, 0);
    return { options, plan, drills, outcome, visits, samples, errors, retries, realSeconds: { setup: setupSeconds, drill: drillSeconds } };
  } finally {
    clock.stop();
    await Promise.all(devices.map((d) => d.stop()));
    await server.close();
  }
}

export function percent(n: number, total: number): string {
  if (!total) return '—';
  const p = (100 * n) / total;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}
