import { describe, it, expect } from 'vitest';
import { ArgsError, assignScenarios, parseScenarioList, parseSimulatorArgs } from './simulator-args.js';
import {
  associationFromTopicPrefix,
  planDevices,
  provisionDevices,
  type CredentialsCache,
  type CredentialsResponse,
  type DeviceListing,
} from './simulator-provision.js';
import { formatJstTime, jstHour, jstTimestamp, poisson, presenceRatePerMinute, seededRandom, simulatedHistory, SimulatedTime } from './simulator-patterns.js';
import { topics } from './protocol.js';

describe('command line', () => {
  it('has the documented defaults', () => {
    expect(parseSimulatorArgs([])).toEqual({
      url: 'http://localhost:3000',
      login: 'officer@demo.tonari.jp',
      password: 'tonari-demo',
      mqtt: undefined,
      count: 50,
      speed: 1,
      scenarios: {},
      credentials: 'data/simulator-devices.json',
      seed: undefined,
      verbose: false,
    });
    expect(parseSimulatorArgs(['--help'])).toBeNull();
  });

  it('reads every option', () => {
    const options = parseSimulatorArgs([
      '--url', 'http://localhost:3300/', '--login', 'o@example.jp', '--password', 'pw', '--mqtt', 'mqtt://localhost:18850',
      '--count', '10', '--speed', '60', '--scenario', 'silent=2, dead=1,help=1,late=2,never=1', '--credentials', '/tmp/c.json', '--seed', '42', '--verbose',
    ]);
    expect(options).toMatchObject({
      url: 'http://localhost:3300', login: 'o@example.jp', password: 'pw', mqtt: 'mqtt://localhost:18850', count: 10, speed: 60,
      scenarios: { silent: 2, dead: 1, help: 1, late: 2, never: 1 }, credentials: '/tmp/c.json', seed: 42, verbose: true,
    });
    expect(parseSimulatorArgs(['--speed', '0.5'])?.speed).toBe(0.5);
  });

  it.each([
    [['--count', '0'], /--count must be between 1/],
    [['--count', 'ten'], /--count must be a whole number/],
    [['--count', '2.5'], /whole number/],
    [['--speed', '0'], /--speed must be a number above 0/],
    [['--speed', '-3'], /--speed/],
    [['--speed', 'fast'], /--speed/],
    [['--url', 'localhost:3000'], /--url must be an http/],
    [['--mqtt', 'http://localhost:1883'], /--mqtt must start with mqtt/],
    [['--scenario', 'asleep=1'], /unknown scenario "asleep"/],
    [['--scenario', 'silent'], /not name=count/],
    [['--scenario', 'silent=1,silent=2'], /given twice/],
    [['--count', '3', '--scenario', 'silent=2,dead=2'], /asks for 4 special devices but --count is 3/],
    [['--frobnicate'], /Unknown option/],
    [['extra'], /positional/i],
  ])('refuses %j', (argv, message) => {
    expect(() => parseSimulatorArgs(argv)).toThrow(ArgsError);
    expect(() => parseSimulatorArgs(argv)).toThrow(message);
  });

  it('assigns each special scenario to as many devices as asked and the rest normal', () => {
    const scenarios = assignScenarios(10, parseScenarioList('silent=2,dead=1,help=1'), seededRandom(1));
    expect(scenarios).toHaveLength(10);
    const count = (name: string) => scenarios.filter((s) => s === name).length;
    expect([count('silent'), count('dead'), count('help'), count('normal')]).toEqual([2, 1, 1, 6]);
  });
});

describe('the day', () => {
  it('keeps Japan time and accelerates from the start', () => {
    const start = Date.parse('2026-11-22T06:00:00+09:00');
    const time = new SimulatedTime(start, 60);
    const oneRealMinuteLater = time.at(new Date(start + 60_000));
    expect(formatJstTime(oneRealMinuteLater)).toBe('07:00');
    expect(jstHour(oneRealMinuteLater)).toBe(7);
    expect(time.realMs(10 * 60_000)).toBe(10_000);
    expect(jstTimestamp(new Date(start))).toBe('2026-11-22T06:00:00.000+09:00');
  });

  it('has residents asleep at night and busiest at meals', () => {
    for (const hour of [23, 0, 2, 4, 5]) expect(presenceRatePerMinute(hour)).toBeLessThan(0.01);
    expect(presenceRatePerMinute(7.5)).toBeGreaterThan(presenceRatePerMinute(10));
    expect(presenceRatePerMinute(12)).toBeGreaterThan(presenceRatePerMinute(14.5));
    expect(presenceRatePerMinute(18.5)).toBeGreaterThan(presenceRatePerMinute(21));
  });

  it('draws Poisson counts with the right mean', () => {
    const random = seededRandom(3);
    for (const lambda of [0.5, 6, 60]) {
      let sum = 0;
      for (let i = 0; i < 4000; i++) sum += poisson(lambda, random);
      expect(sum / 4000).toBeGreaterThan(lambda * 0.9);
      expect(sum / 4000).toBeLessThan(lambda * 1.1);
    }
  });

  it('makes weeks of hourly history at once, up every morning, and nothing after a fall', () => {
    const start = new Date('2026-11-01T04:00:00+09:00');
    const fallAt = new Date('2026-11-15T21:00:00+09:00');
    const { hours, lastActivity } = simulatedHistory(start, new Date('2026-11-16T12:00:00+09:00'), seededRandom(5), fallAt);
    expect(hours.every((h) => h.hour < fallAt && h.presence > 0)).toBe(true);
    expect(lastActivity!.getTime()).toBeLessThan(fallAt.getTime());
    expect(lastActivity!.getTime()).toBeGreaterThan(fallAt.getTime() - 3600_000);
    // Every morning of the two weeks, active in the 5時 hour (up at 05:30).
    const mornings = hours.filter((h) => Math.floor(jstHour(h.hour)) === 5);
    expect(mornings).toHaveLength(15);
  });
});

const ASSOCIATION = '11111111-2222-4333-8444-555555555555';
const device = (id: string, label: string, householdId: string | null, revoked = false): DeviceListing => ({ id, label, householdId, householdName: householdId ? `${householdId}家` : null, revoked });

describe('choosing devices', () => {
  const devices = [
    device('d1', 'スピーカー 1', 'h1'),
    device('d2', 'スピーカー 2', 'h2'),
    device('d3', '予備', null),
    device('d4', '撤去済み', 'h4', true),
    device('d5', 'シミュレーター 07', 'h5'),
  ];
  const households = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7'].map((id) => ({ id, name: `${id}家`, channels: id === 'h7' ? ['app', 'speaker'] : ['app'] }));

  it('uses live devices with a household, those with kept passwords first', () => {
    const cache: CredentialsCache = { d2: { password: 'x', associationId: ASSOCIATION, householdId: 'h2' } };
    const plan = planDevices(devices, households, cache, 2);
    expect(plan.existing.map((d) => d.id)).toEqual(['d2', 'd5']);
    expect(plan.register).toEqual([]);
    expect(plan.shortBy).toBe(0);
  });

  it('registers more for households without a live device, speaker households first, numbering after the last simulator', () => {
    const plan = planDevices(devices, households, {}, 6);
    expect(plan.existing.map((d) => d.id).sort()).toEqual(['d1', 'd2', 'd5']);
    expect(plan.register).toEqual([
      { householdId: 'h7', householdName: 'h7家', label: 'シミュレーター 08' },
      { householdId: 'h3', householdName: 'h3家', label: 'シミュレーター 09' },
      { householdId: 'h4', householdName: 'h4家', label: 'シミュレーター 10' },
    ]);
    expect(plan.shortBy).toBe(0);
    expect(planDevices(devices, households, {}, 10).shortBy).toBe(3);
  });

  it('keeps passwords it has, rotates the others once, registers new ones and saves after each', async () => {
    const issued = (id: string, householdId: string, label = 'x'): CredentialsResponse => ({
      device: { id, label, householdId, householdName: null, revoked: false },
      credentials: { username: id, password: `pw-${id}`, mqttUrl: 'mqtt://localhost:18850', topicPrefix: topics.prefix(ASSOCIATION, id) },
    });
    const calls: string[] = [];
    const api = {
      rotateCredentials: async (id: string) => (calls.push(`rotate ${id}`), issued(id, id.replace('d', 'h'))),
      registerDevice: async (label: string, householdId: string) => (calls.push(`register ${householdId}`), issued('d9', householdId, label)),
    };
    const cache: CredentialsCache = {
      d1: { password: 'kept', associationId: ASSOCIATION, householdId: 'h1' },
      // kept from another tonari (the demo device ids are fixed): not trusted
      d2: { password: 'other', associationId: 'another-association', householdId: 'h2' },
    };
    const saves: CredentialsCache[] = [];
    const plan = { existing: [devices[0]!, devices[1]!], register: [{ householdId: 'h3', householdName: 'h3家', label: 'シミュレーター 01' }], shortBy: 0 };
    const result = await provisionDevices(api, plan, cache, ASSOCIATION, async (c) => void saves.push(structuredClone(c)), () => {});
    expect(calls).toEqual(['rotate d2', 'register h3']);
    expect(result.mqttUrl).toBe('mqtt://localhost:18850');
    expect(result.devices.map((d) => [d.deviceId, d.password, d.associationId])).toEqual([
      ['d1', 'kept', ASSOCIATION],
      ['d2', 'pw-d2', ASSOCIATION],
      ['d9', 'pw-d9', ASSOCIATION],
    ]);
    expect(saves).toHaveLength(2);
    expect(saves.at(-1)).toEqual({
      d1: { password: 'kept', associationId: ASSOCIATION, householdId: 'h1' },
      d2: { password: 'pw-d2', associationId: ASSOCIATION, householdId: 'h2' },
      d9: { password: 'pw-d9', associationId: ASSOCIATION, householdId: 'h3' },
    });
    expect(associationFromTopicPrefix(`tonari/${ASSOCIATION}/d1`)).toBe(ASSOCIATION);
  });
});
