/**
 * The daily rhythm of a simulated home, and the small pieces of randomness and time the
 * simulator needs. Pure functions: the simulated clock is passed in, the random source too.
 *
 * Two clocks are involved. Real time drives the MQTT side (heartbeats, message timestamps:
 * the server refuses timestamps from the future). Simulated time (real time accelerated by
 * `speed` from the moment the simulator started) drives what the residents do: a day of
 * activity passes in 24 minutes at speed 60.
 */

/** A source of uniform numbers in [0, 1), like Math.random. */
export type Random = () => number;

export const JST_OFFSET_MS = 9 * 3_600_000;

/** Maps real time onto simulated time: `speed` times faster, starting now. */
export class SimulatedTime {
  constructor(
    /** The real instant at which simulated time equals real time. */
    readonly startMs: number,
    readonly speed: number,
  ) {}

  /** The simulated instant for a real one. */
  at(real: Date): Date {
    return new Date(this.startMs + (real.getTime() - this.startMs) * this.speed);
  }

  /** Real milliseconds for a span of simulated milliseconds (never less than 0). */
  realMs(simulatedMs: number): number {
    return Math.max(0, simulatedMs / this.speed);
  }
}

/** Hours since midnight in Japan (no daylight saving there), e.g. 7.5 for 07:30 JST. */
export function jstHour(date: Date): number {
  const ms = (((date.getTime() + JST_OFFSET_MS) % 86_400_000) + 86_400_000) % 86_400_000;
  return ms / 3_600_000;
}

/** "07:30" in Japan time. */
export function formatJstTime(date: Date): string {
  const shifted = new Date(date.getTime() + JST_OFFSET_MS);
  return shifted.toISOString().slice(11, 16);
}

/** An ISO 8601 timestamp with the Japan offset, as a device set to local time would send. */
export function jstTimestamp(date: Date): string {
  return new Date(date.getTime() + JST_OFFSET_MS).toISOString().replace('Z', '+09:00');
}

/**
 * Presence-sensor motion events per minute by hour of the day (JST) for an average resident:
 * asleep from 23:00 to 05:30 (only a rare trip in the night), waking at 05:30–06:00, busy
 * around meals (07–08, 11:30–13, 17:30–19:30), a quieter early afternoon with a nap.
 */
const presenceByHalfHour: readonly number[] = (() => {
  const rates: number[] = [];
  for (let slot = 0; slot < 48; slot++) {
    const h = slot / 2;
    let rate: number;
    if (h < 5.5 || h >= 23) rate = 0.004; // asleep: the odd trip to the toilet
    else if (h < 6) rate = 0.4; // waking up
    else if (h < 7) rate = 1.5;
    else if (h < 8.5) rate = 3; // breakfast
    else if (h < 11.5) rate = 1.2;
    else if (h < 13) rate = 2.8; // lunch
    else if (h < 14) rate = 1;
    else if (h < 15) rate = 0.5; // nap
    else if (h < 17.5) rate = 1.1;
    else if (h < 19.5) rate = 3; // dinner
    else if (h < 22) rate = 1.2; // television, bath
    else rate = 0.3; // getting ready for bed
    rates.push(rate);
  }
  return rates;
})();

export function presenceRatePerMinute(hour: number): number {
  const slot = Math.floor((((hour % 24) + 24) % 24) * 2);
  return presenceByHalfHour[slot] ?? 0;
}

/** Whether residents are up at this hour: 06:00–22:00 (voice and button use happen then). */
export function isAwakeHour(hour: number): boolean {
  return hour >= 6 && hour < 22;
}

/** Talking to the speaker ("what's the weather?"): times per hour while awake. */
export const VOICE_PER_AWAKE_HOUR = 0.2;
/** The 再生 (play) button, to hear the last message again: times per hour while awake. */
export const PLAY_PER_AWAKE_HOUR = 0.06;

/** A name for the part of the day, for the simulator's log. */
export function dayPhase(hour: number): string {
  if (hour < 5.5 || hour >= 23) return 'night (asleep)';
  if (hour < 6) return 'dawn (waking up)';
  if (hour < 8.5) return 'morning (breakfast)';
  if (hour < 11.5) return 'late morning';
  if (hour < 13) return 'midday (lunch)';
  if (hour < 17.5) return 'afternoon';
  if (hour < 19.5) return 'evening (dinner)';
  if (hour < 22) return 'evening';
  return 'late evening (going to bed)';
}

/** A Poisson-distributed count with mean `lambda` (Knuth for small means, normal approximation above 30). */
export function poisson(lambda: number, random: Random): number {
  if (!(lambda > 0)) return 0;
  if (lambda > 30) {
    // Box–Muller
    const u = Math.max(random(), 1e-12);
    const v = random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
  }
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= random();
    if (p <= limit) return k;
    k++;
  }
}

/** Whether an event with `ratePerHour` happens at least once in `hours`. */
export function happens(ratePerHour: number, hours: number, random: Random): boolean {
  return random() < 1 - Math.exp(-ratePerHour * hours);
}

/** Uniform in [min, max). */
export function between(random: Random, min: number, max: number): number {
  return min + (max - min) * random();
}

/** A deterministic random source from a 32-bit seed (mulberry32). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Fisher–Yates, in place. */
export function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** One hour of a simulated home's activity, as the server keeps it (activity_hourly). */
export interface SimulatedHour {
  /** The start of the hour (UTC instant). */
  hour: Date;
  presence: number;
}

/**
 * A simulated home's hourly presence counts from `start` to `end` (whole hours), from the
 * average resident's day above, and the instant of its last activity. From `fallAt` on the
 * resident is silent (a fall): nothing is sensed. For seeding weeks of history at once, where
 * the live simulator would take weeks (test/watch-rhythm.test.ts).
 */
export function simulatedHistory(start: Date, end: Date, random: Random, fallAt?: Date): { hours: SimulatedHour[]; lastActivity: Date | null } {
  const hours: SimulatedHour[] = [];
  let lastActivity: Date | null = null;
  const stop = fallAt && fallAt < end ? fallAt : end;
  for (let t = Math.ceil(start.getTime() / 3_600_000) * 3_600_000; t < stop.getTime(); t += 3_600_000) {
    const minutes = Math.min(60, (stop.getTime() - t) / 60_000);
    const h = jstHour(new Date(t));
    const expected = Math.min(30, minutes) * presenceRatePerMinute(h) + Math.max(0, minutes - 30) * presenceRatePerMinute(h + 0.5);
    const presence = poisson(expected, random);
    if (presence === 0) continue;
    hours.push({ hour: new Date(t), presence });
    // The last event of the hour: somewhere in its active part.
    lastActivity = new Date(t + Math.floor(random() * minutes * 60_000));
  }
  return { hours, lastActivity };
}
