import type { Actor } from '../common/access.js';
import { canManageRoster } from '../roster/roster.policy.js';
import { rank, UNRECEIVED, type Intensity, type Telegram } from './telegram.js';

/**
 * What a JMA telegram means for one association: pure, so every case of the issue is a line
 * of its spec. The service reads the state (the association's trigger for the same quake,
 * its latest trigger in the aftershock window), asks `decide`, and writes what it says with
 * its once-only marker and its next job in one transaction.
 */

export const quakePolicy = {
  /** Officers of the association set its trigger and read its log. */
  canManage(actor: Actor): boolean {
    return canManageRoster(actor, actor.associationId);
  },
};

export interface TriggerSettings {
  areaCodes: readonly string[];
  /** JMA 地震情報／市町村等 codes in those areas: when set, a telegram listing them decides on them (readingFor). */
  cityCodes?: readonly string[];
  minIntensity: Intensity;
  holdOffSeconds: number;
  aftershockSeconds: number;
  drillsFromTraining: boolean;
}

/** A trigger as the decision sees it: one per association, quake (JMA EventID) and kind. */
export interface TriggerState {
  id: string;
  eventId: string;
  kind: 'real' | 'drill';
  status: 'pending' | 'started' | 'cancelled';
  /** Why a cancelled trigger was cancelled: a 訂正 below the threshold may be undone by a later upgrade, a 取消 not. */
  cancelReason?: 'cancelled' | 'corrected_below' | null;
  intensity: Intensity;
  /** Its intensity is 震度５弱以上未入電 counted as 5弱, no reading for the areas received yet. */
  unreceived?: boolean;
  /** The latest Head/ReportDateTime taken into it: an older telegram arriving late changes nothing. */
  lastReportAt: Date;
  createdAt: Date;
  drillId: string | null;
}

export type NoAction =
  | 'stale' // sent long ago (a feed's backlog after a restart): never a new event
  | 'training' // 訓練/試験 and drills from them not chosen
  | 'not_in_area'
  | 'below_threshold'
  | 'older_than_seen'
  | 'no_change'
  | 'already_started'
  | 'already_cancelled'
  | 'nothing_to_cancel'
  | 'unreceived_unsure'; // 震度５弱以上未入電 in the areas, the threshold above 5弱: not started, the officers told

export type Decision =
  | { action: 'none'; reason: NoAction; intensity: Intensity | null }
  /** A new trigger: starts `kind` at `fireAt` unless a 取消 or 訂正 comes first. */
  | { action: 'pend'; kind: 'real' | 'drill'; intensity: Intensity; fireAt: Date; reason: 'above_threshold' | 'upgrade' | 'stronger_aftershock' | 'unreceived' }
  /** A pending trigger takes this telegram (a 訂正, a later report of its quake; `city`: the chosen cities' reading came in). */
  | { action: 'update'; triggerId: string; intensity: Intensity; reason: 'corrected' | 'upgraded' | 'received' | 'city' }
  /** A trigger cancelled by a 訂正 below the threshold, raised again across it by a newer report: pending again. */
  | { action: 'reopen'; triggerId: string; intensity: Intensity; fireAt: Date; reason: 'upgrade' }
  /** A pending trigger will not start. */
  /** `received_below`: a trigger started on 未入電 whose areas' real reading came in below the threshold; `city_below`: the chosen cities' reading did. */
  | { action: 'cancel'; triggerId: string; reason: 'cancelled' | 'corrected_below' | 'received_below' | 'city_below' }
  /** 取消 of a quake whose event has started: the event goes on, officers are told and may end it. */
  | { action: 'cancelled_after_start'; triggerId: string; drillId: string | null }
  /** A further quake no stronger than the one that started the event: officers told, the not yet accounted for asked again. */
  | { action: 'aftershock'; triggerId: string; drillId: string | null; intensity: Intensity };

export interface DecideInput {
  settings: TriggerSettings;
  telegram: Telegram;
  now: Date;
  /** This association's trigger for the telegram's quake (EventID) and kind, if any. */
  sameQuake: TriggerState | undefined;
  /** Its latest pending or started trigger of the same kind created within the aftershock window, if any. */
  recent: TriggerState | undefined;
  /** An earlier telegram of the same quake named the association's areas (below the threshold then). */
  quakeSeenBefore?: boolean;
  /**
   * A newer telegram (by Head/ReportDateTime) of the same quake and status was stored already, whether
   * or not it reached this association (a 取消 names no area): `cancelled` when one of them is a 取消.
   * The older one arriving late (a failed download, entries out of order) then changes nothing.
   */
  newerSeen?: 'cancelled' | 'newer' | null;
  /** A telegram sent longer ago than this starts nothing (default 30 minutes). */
  maxAgeSeconds?: number;
}

/** The kind of event a telegram may start: a real one from 通常, a drill from 訓練/試験 where chosen, else none. */
export function kindOf(telegram: Telegram, settings: TriggerSettings): 'real' | 'drill' | null {
  if (telegram.status === '通常') return 'real';
  return settings.drillsFromTraining ? 'drill' : null;
}

/** What 震度５弱以上未入電 counts as when the threshold is at or below it. */
export const UNRECEIVED_AS: Intensity = '5-';

/**
 * What a telegram reads for the association. `city`: cities are chosen and the telegram gives a
 * reading (a MaxInt or 震度５弱以上未入電) for at least one of them in a chosen area (a 震源・震度に
 * 関する情報 VXSE53): their strongest decides. `area`: otherwise (a 震度速報 VXSE51 lists areas only;
 * a VXSE53 without a chosen city, whose readings are all below its area's MaxInt): the chosen
 * areas' strongest decides, as without cities. `measured` is the strongest reading received,
 * `unreceived` whether one of them is 震度５弱以上未入電 with nothing of 5弱 or more received;
 * `places` the names of the places read, the strongest-shaken first.
 */
export interface Reading {
  basis: 'area' | 'city';
  measured: Intensity | null;
  unreceived: boolean;
  places: string[];
}

type Place = { name: string; maxInt: Intensity | null; unreceived: boolean };
const strength = (p: Place) => Math.max(p.maxInt ? rank(p.maxInt) : -1, p.unreceived ? rank(UNRECEIVED_AS) : -1);

function readPlaces(basis: Reading['basis'], places: Place[]): Reading {
  let measured: Intensity | null = null;
  for (const p of places) if (p.maxInt && (!measured || rank(p.maxInt) > rank(measured))) measured = p.maxInt;
  const unreceived = places.some((p) => p.unreceived) && (measured === null || rank(measured) < rank(UNRECEIVED_AS));
  const read = places.filter((p) => strength(p) >= 0).sort((a, b) => strength(b) - strength(a));
  return { basis, measured, unreceived, places: read.map((p) => p.name) };
}

export function readingFor(telegram: Telegram, settings: Pick<TriggerSettings, 'areaCodes' | 'cityCodes'>): Reading {
  const areas = telegram.areas.filter((a) => settings.areaCodes.includes(a.code));
  const chosen = settings.cityCodes ?? [];
  const cities = areas.flatMap((a) => a.cities).filter((c) => chosen.includes(c.code) && (c.maxInt !== null || c.condition === UNRECEIVED));
  if (cities.length) return readPlaces('city', cities.map((c) => ({ name: c.name, maxInt: c.maxInt, unreceived: c.condition === UNRECEIVED })));
  return readPlaces('area', areas.map((a) => ({ name: a.name, maxInt: a.maxInt, unreceived: a.condition === UNRECEIVED || a.cities.some((c) => c.condition === UNRECEIVED) })));
}

export function decide({ settings, telegram, now, sameQuake, recent, quakeSeenBefore = false, newerSeen = null, maxAgeSeconds = 1800 }: DecideInput): Decision {
  const reading = telegram.infoType === '取消' ? null : readingFor(telegram, settings);
  const measured = reading?.measured ?? null;
  // 震度５弱以上未入電: 5弱 or more possibly, not received yet. Decided on the safe side: with a
  // threshold of 5弱 or less it counts as 5弱 (reached); above 5弱 it starts nothing (the officers are told).
  const unsure = reading?.unreceived ?? false;
  const counted = unsure && rank(settings.minIntensity) <= rank(UNRECEIVED_AS);
  const intensity = counted ? UNRECEIVED_AS : measured;
  const none = (reason: NoAction): Decision => ({ action: 'none', reason, intensity });
  const kind = kindOf(telegram, settings);
  if (!kind) return none('training');
  const reportAt = new Date(telegram.reportAt);
  if (sameQuake && reportAt < sameQuake.lastReportAt) return none('older_than_seen');
  if (newerSeen === 'cancelled') return none('already_cancelled');
  if (newerSeen === 'newer') return none('older_than_seen');

  if (telegram.infoType === '取消') {
    if (!sameQuake) return none('nothing_to_cancel');
    if (sameQuake.status === 'pending') return { action: 'cancel', triggerId: sameQuake.id, reason: 'cancelled' };
    if (sameQuake.status === 'started') return { action: 'cancelled_after_start', triggerId: sameQuake.id, drillId: sameQuake.drillId };
    return none('already_cancelled');
  }

  const above = intensity !== null && rank(intensity) >= rank(settings.minIntensity);
  if (sameQuake) {
    if (sameQuake.status === 'started') return none('already_started');
    if (sameQuake.status === 'cancelled') {
      // 訂正 updates the decision: a quake corrected below the threshold and then reported across it starts then.
      if (sameQuake.cancelReason === 'corrected_below' && above && now.getTime() - Date.parse(telegram.sentAt) <= maxAgeSeconds * 1000) {
        return { action: 'reopen', triggerId: sameQuake.id, intensity: intensity!, fireAt: new Date(now.getTime() + settings.holdOffSeconds * 1000), reason: 'upgrade' };
      }
      return none('already_cancelled');
    }
    // Pending on 震度５弱以上未入電: a later report (a 発表 as well as a 訂正) with the real reading for
    // the areas decides it: below the threshold it will not start, at or above it it goes on at that intensity.
    if (sameQuake.unreceived && !unsure && measured !== null) {
      if (rank(measured) < rank(settings.minIntensity)) return { action: 'cancel', triggerId: sameQuake.id, reason: 'received_below' };
      return { action: 'update', triggerId: sameQuake.id, intensity: measured, reason: 'received' };
    }
    // Pending, cities chosen: their reading, when a telegram gives one, decides it (a 震度速報 pended it on
    // the area's reading): below the threshold it will not start, at or above it goes on at that intensity.
    if (reading?.basis === 'city') {
      if (!above) return { action: 'cancel', triggerId: sameQuake.id, reason: 'city_below' };
      if (intensity !== sameQuake.intensity || unsure !== !!sameQuake.unreceived) return { action: 'update', triggerId: sameQuake.id, intensity: intensity!, reason: 'city' };
      return none('no_change');
    }
    // Pending on 未入電, a later 発表 naming none of the areas (nor the cities): it stays pending and its
    // hold-off ends with the best reading known, 5弱 assumed from 未入電 (the event says 未入電).
    // Pending: a 訂正 sets the intensity (below the threshold it will not start); a later report may only raise it.
    if (telegram.infoType === '訂正') {
      if (!above) return { action: 'cancel', triggerId: sameQuake.id, reason: 'corrected_below' };
      return { action: 'update', triggerId: sameQuake.id, intensity: intensity!, reason: 'corrected' };
    }
    if (intensity && rank(intensity) > rank(sameQuake.intensity)) return { action: 'update', triggerId: sameQuake.id, intensity, reason: 'upgraded' };
    return none('no_change');
  }

  if (intensity === null && !unsure) return none('not_in_area');
  if (!above && !unsure) return none('below_threshold');
  if (now.getTime() - Date.parse(telegram.sentAt) > maxAgeSeconds * 1000) return none('stale');
  if (!above) return none('unreceived_unsure');
  const fireAt = new Date(now.getTime() + settings.holdOffSeconds * 1000);
  // Another quake while one is pending gets its own trigger (its own 取消 and 訂正 reach it alone);
  // "one event per window" is kept when it fires (trigger.service.ts fire: it joins an event started meanwhile).
  if (recent?.status === 'started') {
    if (rank(intensity) <= rank(recent.intensity)) return { action: 'aftershock', triggerId: recent.id, drillId: recent.drillId, intensity };
    return { action: 'pend', kind, intensity, fireAt, reason: 'stronger_aftershock' };
  }
  // An earlier telegram of this quake below the threshold made no trigger: this one is its upgrade.
  return { action: 'pend', kind, intensity: intensity!, fireAt, reason: counted ? 'unreceived' : quakeSeenBefore ? 'upgrade' : 'above_threshold' };
}
