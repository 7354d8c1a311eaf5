import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import {
  DEFAULT_CONSENT,
  alertReaches,
  audienceFor,
  mayActOnAlert,
  mayEditConsent,
  mayEditSettings,
  mayManageAway,
  mayReadAccessLog,
  seesAlertAt,
  seesWatch,
  toldAt,
  watchScope,
  type Consent,
} from './watch.policy.js';

const HOME = { id: 'home-a', blockId: 'block-1' };
const nobody: Actor = { sessionId: 's', personId: 'p', associationId: 'x', officer: false, captainOf: [], volunteer: false, welfareCommissioner: false, watcherOf: [], householdId: null };
const actors = {
  officer: { ...nobody, officer: true },
  member: { ...nobody, householdId: HOME.id },
  neighbour: { ...nobody, householdId: 'home-b' },
  family: { ...nobody, watcherOf: [HOME.id] },
  captain: { ...nobody, captainOf: [HOME.blockId] },
  otherCaptain: { ...nobody, captainOf: ['block-2'] },
  volunteer: { ...nobody, volunteer: true },
  welfare: { ...nobody, welfareCommissioner: true },
  nobody,
} satisfies Record<string, Actor>;
const sharesNothing: Consent = { share_with_family: false, share_with_captain: false, share_with_volunteers: false };
const sharesAll: Consent = { share_with_family: true, share_with_captain: true, share_with_volunteers: true };
const sees = (who: keyof typeof actors, consent: Consent | null) => seesWatch(audienceFor(actors[who], HOME, consent));

describe('who sees a home’s watch data', () => {
  it('on the default consent (a home without rules yet): its members, officers, family and its 班長, not volunteers', () => {
    expect(Object.keys(actors).filter((who) => sees(who as keyof typeof actors, null))).toEqual(['officer', 'member', 'family', 'captain']);
    expect(audienceFor(actors.volunteer, HOME, null)).toEqual(audienceFor(actors.volunteer, HOME, DEFAULT_CONSENT));
  });

  it('consent hides it from family, the 班長 and volunteers, never from the household or officers', () => {
    expect(Object.keys(actors).filter((who) => sees(who as keyof typeof actors, sharesNothing))).toEqual(['officer', 'member']);
    expect(Object.keys(actors).filter((who) => sees(who as keyof typeof actors, sharesAll))).toEqual(['officer', 'member', 'family', 'captain', 'volunteer', 'welfare']);
  });

  it('is the same rule the list queries compile (the scope names each consent an audience needs)', () => {
    expect(watchScope(actors.welfare)).toEqual({ officer: false, household: null, family: [], captainOf: [], volunteer: true });
    expect(watchScope(actors.family).family).toEqual([HOME.id]);
    expect(watchScope(actors.captain).captainOf).toEqual([HOME.blockId]);
  });
});

describe('which alerts reach whom', () => {
  const at = (tier: 'resident' | 'family_captain' | 'volunteers' | 'officers', kind: 'silent' | 'help' | 'device_offline' = 'silent') => ({ kind, tier });
  const reaches = (who: keyof typeof actors, alert: ReturnType<typeof at>, consent: Consent | null = sharesAll) => alertReaches(alert, audienceFor(actors[who], HOME, consent));

  it('a silent home reaches each audience from its tier on', () => {
    expect(seesAlertAt(audienceFor(actors.member, HOME, null))).toBe('resident');
    expect(seesAlertAt(audienceFor(actors.captain, HOME, null))).toBe('family_captain');
    expect(seesAlertAt(audienceFor(actors.volunteer, HOME, sharesAll))).toBe('volunteers');
    expect(reaches('officer', at('resident'))).toBe(true);
    expect(reaches('family', at('resident'))).toBe(false);
    expect(reaches('family', at('family_captain'))).toBe(true);
    expect(reaches('captain', at('family_captain'))).toBe(true);
    expect(reaches('volunteer', at('family_captain'))).toBe(false);
    expect(reaches('volunteer', at('volunteers'))).toBe(true);
    expect(reaches('otherCaptain', at('officers'))).toBe(false);
  });

  it('a help press reaches everyone who sees the home at once; consent still applies', () => {
    expect(reaches('volunteer', at('resident', 'help'))).toBe(true);
    expect(reaches('volunteer', at('officers', 'help'), DEFAULT_CONSENT)).toBe(false);
  });

  it('device-offline alerts are for officers only', () => {
    expect(reaches('officer', at('officers', 'device_offline'))).toBe(true);
    expect(reaches('member', at('officers', 'device_offline'))).toBe(false);
    expect(reaches('captain', at('officers', 'device_offline'))).toBe(false);
  });

  it('the household is told of its own alert but does not take or close it', () => {
    expect(reaches('member', at('family_captain'))).toBe(true);
    expect(mayActOnAlert(at('family_captain'), audienceFor(actors.member, HOME, null))).toBe(false);
    expect(mayActOnAlert(at('family_captain'), audienceFor(actors.captain, HOME, null))).toBe(true);
    expect(mayActOnAlert(at('resident'), audienceFor(actors.captain, HOME, null))).toBe(false);
  });
});

describe('who changes a home’s rules', () => {
  const audience = (who: keyof typeof actors) => audienceFor(actors[who], HOME, sharesAll);
  it('rules and away periods: the household, its family and officers; consent: the household and officers', () => {
    const names = Object.keys(actors) as (keyof typeof actors)[];
    expect(names.filter((who) => mayEditSettings(audience(who)))).toEqual(['officer', 'member', 'family']);
    expect(names.filter((who) => mayManageAway(audience(who)))).toEqual(['officer', 'member', 'family']);
    expect(names.filter((who) => mayEditConsent(audience(who)))).toEqual(['officer', 'member']);
    expect(names.filter((who) => mayReadAccessLog(actors[who]))).toEqual(['officer']);
  });
});

describe('who is told at each tier', () => {
  it('adds family and the 班長, then volunteers, then officers, each as the home allows', () => {
    expect(toldAt('resident', sharesAll)).toEqual({ roles: [], blockRoom: false, volunteersRoom: false });
    expect(toldAt('family_captain', sharesAll)).toEqual({ roles: ['family_watcher', 'captain'], blockRoom: true, volunteersRoom: false });
    expect(toldAt('volunteers', sharesAll)).toEqual({ roles: ['family_watcher', 'captain', 'volunteer', 'welfare_commissioner'], blockRoom: true, volunteersRoom: true });
    expect(toldAt('officers', DEFAULT_CONSENT)).toEqual({ roles: ['family_watcher', 'captain', 'officer'], blockRoom: true, volunteersRoom: false });
    expect(toldAt('officers', sharesNothing)).toEqual({ roles: ['officer'], blockRoom: false, volunteersRoom: false });
  });
});
