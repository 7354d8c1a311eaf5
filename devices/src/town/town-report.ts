import type { Db } from '../../../server/src/platform/db/database.js';
import { routeTimes } from './town-client.js';
import type { TownResult } from './town-run.js';
import { townChannels, type TownChannel, type TownHousehold } from './town-seed.js';

/**
 * What the town's drill came to, read from its targets once it is over (one SELECT, read
 * only), and the printout: the accounted curve per association and 班, each household's
 * channel, the time to 100%, where the time went, and the paper baseline beside it.
 */

export interface TownOutcome {
  householdId: string;
  /** Simulated ms after the start; null if never accounted for. */
  accountedMs: number | null;
  escalatedMs: number | null;
  takenMs: number | null;
  /** The channel of the first answer. */
  answeredBy: 'app' | 'speaker' | 'proxy' | 'visit' | null;
  tier: 'none' | 'captain' | 'volunteers' | 'officers';
  status: 'safe' | 'needs_help' | 'injured' | null;
}

export async function outcomeRows(db: Db, drillIds: string[], startMs: number, speed: number): Promise<TownOutcome[]> {
  const rows = await db
    .selectFrom('drill_targets')
    .select(['household_id', 'accounted_at', 'escalated_at', 'taken_at', 'channel', 'tier', 'status'])
    .where('drill_id', 'in', drillIds)
    .execute();
  const sim = (at: Date | null) => (at ? Math.max(0, (at.getTime() - startMs) * speed) : null);
  return rows.map((r) => ({
    householdId: r.household_id, accountedMs: sim(r.accounted_at), escalatedMs: sim(r.escalated_at), takenMs: sim(r.taken_at),
    answeredBy: r.channel, tier: r.tier, status: r.status,
  }));
}

/** The paper drill the pilot replaces: 828 households, 53.6% accounted by its end, totals 90 minutes after the start. */
export const paperBaseline = { households: 828, accountedPercent: 53.6, totalsAfterMinutes: 90 };

const MIN = 60_000;
const channelName: Record<TownChannel, string> = { app: 'app', speaker: 'speaker only', paper: 'paper only', none: 'no channel' };

function pct(n: number, total: number): string {
  if (!total) return '—';
  const p = (100 * n) / total;
  return p === 100 ? '100%' : `${p.toFixed(1)}%`;
}
const minutes = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : (ms / MIN).toFixed(1));
function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const csvMinutes = (ms: number | null | undefined) => (ms === null || ms === undefined ? '' : (ms / MIN).toFixed(1));
const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);

export interface TownSummary {
  households: number;
  accounted: number;
  percent: string;
  /** Simulated minutes: when the last household was accounted for if all were, else the end of the window. */
  atMinutes: number;
  allAccounted: boolean;
}

export function summarise(result: TownResult): TownSummary {
  const accounted = result.outcome.filter((o) => o.accountedMs !== null);
  const all = accounted.length === result.plan.households.length;
  const last = Math.max(0, ...accounted.map((o) => o.accountedMs!));
  const lastSample = result.samples.at(-1)?.minute ?? result.options.minutes;
  return {
    households: result.plan.households.length,
    accounted: accounted.length,
    percent: pct(accounted.length, result.plan.households.length).replace('%', ''),
    atMinutes: Math.round((all ? last / MIN : Math.min(lastSample, result.options.minutes)) * 10) / 10,
    allAccounted: all,
  };
}

/** `town: <N> households, <P>% accounted at <M> simulated minutes` */
export function finalLine(summary: TownSummary): string {
  return `town: ${summary.households} households, ${summary.percent}% accounted at ${summary.atMinutes} simulated minutes`;
}

interface Joined {
  household: TownHousehold;
  outcome: TownOutcome | undefined;
}

function joined(result: TownResult): Joined[] {
  const byId = new Map(result.outcome.map((o) => [o.householdId, o]));
  return result.plan.households.map((household) => ({ household, outcome: byId.get(household.id!) }));
}

/** Percent accounted at every 5 simulated minutes, and when the group reached 100%. */
function curveLine(label: string, rows: Joined[], marks: number[]): string {
  const at = (m: number) => rows.filter((r) => r.outcome?.accountedMs !== null && r.outcome?.accountedMs !== undefined && r.outcome.accountedMs <= m * MIN).length;
  const cells = marks.map((m) => pct(at(m), rows.length).padStart(7));
  const done = rows.every((r) => r.outcome?.accountedMs !== null && r.outcome?.accountedMs !== undefined);
  const full = done ? `${minutes(Math.max(...rows.map((r) => r.outcome!.accountedMs!)))} min` : 'not yet';
  return `${label.padEnd(26)}${cells.join('')}   ${full}`;
}

/** One CSV line per household. */
export function householdsCsv(result: TownResult): string {
  const by = new Map(result.visits.map((v) => [v.householdId, v]));
  const header = ['association', 'block', 'household_number', 'channel', 'people', 'lives_alone', 'accounted_minute', 'accounted_by', 'status', 'tier', 'last_tier_minute', 'taken_minute', 'visited_by'];
  const lines = joined(result).map(({ household: h, outcome: o }) => {
    const association = result.plan.associations[h.association]!;
    return [
      association.name, association.blocks[h.block]!.name, h.number, h.channel, h.people, h.people === 1 ? 'yes' : 'no',
      csvMinutes(o?.accountedMs), o?.answeredBy ?? '', o?.status ?? '', o?.tier ?? '', csvMinutes(o?.escalatedMs), csvMinutes(o?.takenMs), by.get(h.id!)?.by.role ?? '',
    ].map((cell) => (String(cell).includes(',') ? `"${String(cell)}"` : String(cell))).join(',');
  });
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

export function householdLines(result: TownResult): string[] {
  return joined(result).map(({ household: h, outcome: o }) => {
    const association = result.plan.associations[h.association]!;
    const how = o?.accountedMs === null || o?.accountedMs === undefined ? 'not accounted for' : `${o.answeredBy} at ${minutes(o.accountedMs)} min${o.tier !== 'none' ? ` (tier ${o.tier})` : ''}`;
    return `  ${association.name.slice(0, 4)} ${association.blocks[h.block]!.name.padEnd(4)} ${h.number.padEnd(8)} ${channelName[h.channel].padEnd(13)} ${h.people} ${h.people === 1 ? 'alone' : 'people'}  ${how}`;
  });
}

export function report(result: TownResult, csvPath: string): string[] {
  const { options, plan } = result;
  const rows = joined(result);
  const total = rows.length;
  const out: string[] = [];
  const span = Math.max(options.minutes, Math.ceil(summarise(result).atMinutes));
  const marks = Array.from({ length: Math.ceil(span / 5) }, (_, i) => (i + 1) * 5);

  out.push('', `Accounted for, % of households, at simulated minute:`);
  out.push(`${''.padEnd(26)}${marks.map((m) => `${m} min`.padStart(7)).join('')}   100% at`);
  out.push(curveLine(`town (${total})`, rows, marks));
  for (const a of plan.associations) {
    const inA = rows.filter((r) => r.household.association === a.index);
    out.push(curveLine(`${a.name.slice(0, 4)} (${inA.length})`, inA, marks));
    for (const b of a.blocks) {
      const inB = inA.filter((r) => r.household.block === b.index);
      out.push(curveLine(`  ${b.name} (${inB.length})`, inB, marks));
    }
  }

  out.push('', 'Per channel (how each household was accounted for):');
  for (const channel of townChannels) {
    const inC = rows.filter((r) => r.household.channel === channel);
    const ways = ['app', 'speaker', 'visit', 'proxy'].map((w) => {
      const these = inC.filter((r) => r.outcome?.answeredBy === w);
      return these.length ? `${w} ${these.length} (median ${minutes(median(these.map((r) => r.outcome!.accountedMs!)))} min)` : '';
    }).filter(Boolean);
    const missing = inC.filter((r) => r.outcome?.accountedMs === null || r.outcome?.accountedMs === undefined).length;
    out.push(`  ${channelName[channel].padEnd(13)} ${String(inC.length).padStart(5)} (${pct(inC.length, total).padStart(5)}): ${ways.join(', ') || 'none'}${missing ? `; not accounted for ${missing}` : ''}`);
  }
  out.push(`  people: ${rows.reduce((n, r) => n + r.household.people, 0)}; households living alone: ${rows.filter((r) => r.household.people === 1).length}`);
  out.push(`  each household's line: ${csvPath}${options.verbose ? '' : ' (--verbose prints them)'}`);

  out.push('', 'Where the time went:');
  const self = rows.filter((r) => r.outcome?.answeredBy === 'app' || r.outcome?.answeredBy === 'speaker');
  out.push(`  answered themselves: ${self.length} (${pct(self.length, total)}), median ${minutes(median(self.map((r) => r.outcome!.accountedMs!)))} min, last at ${minutes(Math.max(0, ...self.map((r) => r.outcome!.accountedMs!)))} min`);
  const fromStart = rows.filter((r) => r.household.channel === 'paper');
  const atDeadline = rows.filter((r) => r.household.channel !== 'paper' && r.outcome && r.outcome.tier !== 'none');
  out.push(`  on the 班長's list from the start (paper only): ${fromStart.length}`);
  out.push(`  silent until the deadline (${options.deadlineMinutes} min), then the 班長's: ${atDeadline.length}`);
  const tiers = (['captain', 'volunteers', 'officers'] as const).map((t) => `${t} ${rows.filter((r) => r.outcome?.tier === t).length}`);
  out.push(`  tier each task ended at: ${tiers.join(', ')} (volunteers at ${options.deadlineMinutes + options.volunteersAfterMinutes} min, officers at ${options.deadlineMinutes + options.officersAfterMinutes} min)`);
  const visits = result.visits;
  const waits = rows.flatMap((r) => (r.outcome?.takenMs !== null && r.outcome?.takenMs !== undefined && r.outcome.escalatedMs !== null ? [r.outcome.takenMs - r.outcome.escalatedMs] : []));
  out.push(`  visits: ${visits.length}; on a list until someone took it: mean ${minutes(mean(waits))} min, longest ${minutes(waits.length ? Math.max(...waits) : null)} min`);
  const walks = visits.map((v) => v.visitedAtMs - v.takenAtMs);
  out.push(`  walking to the door: mean ${minutes(mean(walks))} min each, ${minutes(walks.reduce((a, b) => a + b, 0))} min in all`);
  for (const role of ['captain', 'volunteer', 'welfare_commissioner', 'officer'] as const) {
    const mine = visits.filter((v) => v.by.role === role);
    const people = new Set(mine.map((v) => v.by.login)).size;
    out.push(`    by ${role}s: ${mine.length} visits by ${people} people`);
  }
  const last = rows.filter((r) => r.outcome?.accountedMs !== null && r.outcome?.accountedMs !== undefined).sort((a, b) => b.outcome!.accountedMs! - a.outcome!.accountedMs!)[0];
  if (last) {
    const o = last.outcome!;
    out.push(`  the last household (${last.household.number}, ${channelName[last.household.channel]}): ${o.answeredBy} at ${minutes(o.accountedMs)} min; at its last tier (${o.tier}) from ${minutes(o.escalatedMs)} min, taken at ${minutes(o.takenMs)} min`);
  }
  if (result.errors.length) out.push(`  errors: ${result.errors.length}, e.g. ${result.errors.slice(0, 3).join(' | ')}`);

  const summary = summarise(result);
  out.push('', 'Against the paper drill:');
  out.push(`  ${''.padEnd(22)}${'paper drill'.padEnd(34)}town (tonari)`);
  out.push(`  ${'households'.padEnd(22)}${String(paperBaseline.households).padEnd(34)}${total}`);
  out.push(`  ${'accounted for'.padEnd(22)}${`${paperBaseline.accountedPercent}% by its end`.padEnd(34)}${summary.percent}% at ${summary.atMinutes} min`);
  out.push(`  ${'totals known'.padEnd(22)}${`${paperBaseline.totalsAfterMinutes} min after the start`.padEnd(34)}live on the dashboard; ${summary.allAccounted ? `all at ${summary.atMinutes} min` : 'not all yet'}`);
  const routes = [...routeTimes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
  out.push('', `HTTP by route (real ms: mean / max × count): ${routes.map(([r, t]) => `${r} ${Math.round(t.ms / t.count)}/${t.maxMs}×${t.count}`).join(' · ')}`);
  out.push(`real time: setup ${result.realSeconds.setup.toFixed(0)} s, drill ${result.realSeconds.drill.toFixed(0)} s at ×${options.speed}; HTTP requests retried after a 503: ${result.retries}`);
  out.push(finalLine(summary));
  return out;
}
