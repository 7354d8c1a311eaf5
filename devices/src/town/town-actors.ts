import type { MyDrill, TargetView } from '../../../server/src/contracts/drills.js';
import { connectMqtt } from '../simulator-mqtt.js';
import { seededRandom, SimulatedTime, type Random } from '../simulator-patterns.js';
import { SimulatedDevice } from '../simulated-device.js';
import { TownHttpError, type TownSession } from './town-client.js';
import type { TownHousehold, TownStaff } from './town-seed.js';

/**
 * Everyone in the town who acts during the drill, each through tonari's real doors: residents
 * answer in the app (HTTP), speakers answer their prompt (MQTT, the device simulator's
 * SimulatedDevice), and 班長, volunteers and officers read their visit list, take a home,
 * walk to its door and record the visit (HTTP).
 */

/** The accelerated clock: simulated time since the drill started, and waits in simulated time. */
export class TownClock {
  private startMs = Date.now();
  private stoppedFlag = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wakers = new Set<() => void>();

  constructor(readonly speed: number) {}

  start(at = Date.now()): void {
    this.startMs = at;
  }

  get started(): number {
    return this.startMs;
  }

  /** Simulated ms since the start. */
  now(): number {
    return (Date.now() - this.startMs) * this.speed;
  }

  /** The real instant of a simulated offset. */
  realAt(simMs: number): Date {
    return new Date(this.startMs + simMs / this.speed);
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** Resolves after `simMs` of simulated time (at once when the clock has stopped). */
  sleep(simMs: number): Promise<void> {
    if (this.stoppedFlag) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, simMs / this.speed));
      this.timers.add(timer);
      this.wakers.add(wake);
    });
  }

  stop(): void {
    this.stoppedFlag = true;
    for (const wake of [...this.wakers]) wake();
  }
}

export interface ActorEvents {
  error(message: string): void;
}

/** An app household: opens the app when its resident gets to it and answers (2% "needs help"). */
export async function resident(clock: TownClock, session: TownSession, household: TownHousehold, random: Random, events: ActorEvents): Promise<void> {
  if (household.response.kind === 'never') return;
  await clock.sleep(household.response.afterMs);
  if (clock.stopped) return;
  try {
    const mine = await session.get<{ items: MyDrill[] }>('/api/drills/mine');
    const drill = mine.items[0];
    if (!drill) return events.error(`${household.number}: no active drill in the app`);
    const status = random() < 0.02 ? 'needs_help' : 'safe';
    await session.post(`/api/drills/${drill.drill.id}/answer`, { status, where: 'home', note: '' });
  } catch (error) {
    if (!(error instanceof TownHttpError && error.status === 409)) events.error(String(error));
  }
}

/**
 * The speakers' clock: the residents' delays (pressing 無事, reporting presence) run at the
 * town's speed, but the heartbeat, a keep-alive of the connection, stays at its real once a
 * minute. (The device simulator divides it by the speed too; 300 speakers at ×15 would send
 * as many heartbeats as 4,500 real ones, a load no real town puts on the server.)
 */
export class SpeakerTime extends SimulatedTime {
  constructor(
    startMs: number,
    private readonly townSpeed: number,
  ) {
    super(startMs, 1);
  }

  override realMs(simulatedMs: number): number {
    return Math.max(0, simulatedMs / this.townSpeed);
  }
}

/** A speaker home: the device simulator's device on its own MQTT connection, playing the household's scenario. */
export function speaker(household: TownHousehold, association: { id: string }, mqttUrl: string, time: SimulatedTime, seed: number, events: ActorEvents): SimulatedDevice {
  return new SimulatedDevice({
    deviceId: household.device!.id,
    associationId: association.id,
    password: household.device!.password,
    mqttUrl,
    scenario: household.speaker ?? 'normal',
    label: household.number,
    time,
    connect: connectMqtt,
    clock: { now: () => new Date() },
    random: seededRandom(seed),
    onEvent: (event) => {
      if (event.level === 'warn') events.error(`speaker ${event.label}: ${event.message}`);
    },
  });
}

export interface Visit {
  householdId: string;
  by: TownStaff;
  tier: TargetView['tier'];
  takenAtMs: number;
  visitedAtMs: number;
}

/** Which tasks a person goes to: a 班長 any of their 班's; volunteers once escalated to them; officers once escalated to the officers. */
function goesTo(role: TownStaff['role'], task: TargetView): boolean {
  if (role === 'captain') return true;
  if (role === 'volunteer' || role === 'welfare_commissioner') return task.tier === 'volunteers' || task.tier === 'officers';
  return task.tier === 'officers';
}

/**
 * A 班長, volunteer or officer: reads their visit list, takes the riskiest home nobody has
 * taken ("I'm going"), walks there (2–5 simulated minutes for a 班長 in their own 班, 3–6 for
 * the others), records the visit, and looks again; with nothing to do, looks every minute.
 */
export async function walker(clock: TownClock, session: TownSession, staff: TownStaff, drillId: string, random: Random, visits: Visit[], events: ActorEvents): Promise<void> {
  while (!clock.stopped) {
    let tasks: TargetView[];
    try {
      tasks = (await session.get<{ items: TargetView[] }>(`/api/drills/${drillId}/tasks`)).items;
    } catch (error) {
      if (error instanceof TownHttpError && error.status === 409) return;
      events.error(String(error));
      await clock.sleep(60_000);
      continue;
    }
    const open = tasks.filter((t) => t.status === null && t.takenBy === null && goesTo(staff.role, t));
    if (!open.length) {
      // Nothing for me yet: look again in a minute (tonari pushes each tier when tasks reach it).
      await clock.sleep(60_000);
      continue;
    }
    // The riskiest first; helpers spread over the first few so they do not all race for one.
    const task = staff.role === 'captain' ? open[0]! : open[Math.floor(random() * Math.min(4, open.length))]!;
    try {
      await session.post(`/api/drills/${drillId}/take`, { householdId: task.householdId });
    } catch (error) {
      if (error instanceof TownHttpError && error.status === 409) continue;
      events.error(String(error));
      continue;
    }
    const takenAtMs = clock.now();
    const [min, max] = staff.walkMs;
    await clock.sleep(min + random() * (max - min));
    if (clock.stopped) return;
    try {
      const outcome = random() < 0.03 ? 'needs_help' : 'safe';
      await session.post(`/api/drills/${drillId}/visit`, { householdId: task.householdId, outcome, note: '' });
      visits.push({ householdId: task.householdId, by: staff, tier: task.tier, takenAtMs, visitedAtMs: clock.now() });
    } catch (error) {
      if (!(error instanceof TownHttpError && error.status === 409)) events.error(String(error));
    }
  }
}
