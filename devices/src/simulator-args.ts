import { parseArgs } from 'node:util';
import { shuffle, type Random } from './simulator-patterns.js';
import { scenarioDescriptions, scenarioNames, type Scenario } from './simulated-device.js';

export interface SimulatorOptions {
  url: string;
  login: string;
  password: string;
  /** Undefined: the mqttUrl tonari returns with device credentials. */
  mqtt?: string;
  count: number;
  speed: number;
  /** How many devices play each scenario other than normal. */
  scenarios: Partial<Record<Exclude<Scenario, 'normal'>, number>>;
  credentials: string;
  seed?: number;
  verbose: boolean;
}

export class ArgsError extends Error {}

export const MAX_COUNT = 1000;
export const MAX_SPEED = 86_400;

export const helpText = `tonari device simulator: N simulated speakers on real MQTT connections

Usage: npm run devices -- [options]

  --url URL            tonari's HTTP address                 (default http://localhost:3000)
  --login ID           an officer's email or phone            (default officer@demo.tonari.jp)
  --password PW        that officer's password                (default tonari-demo)
  --mqtt URL           the broker (mqtt://, mqtts://, ws://, wss://)
                                         (default: the mqttUrl tonari gives with device credentials)
  --count N            how many speakers, 1–${MAX_COUNT}                (default 50)
  --speed X            time acceleration of the residents' day: 60 = a simulated hour per
                       real minute; heartbeats come every 60/X s (at least 1 s)  (default 1)
  --scenario LIST      how many devices play each scenario, e.g. silent=2,dead=1,help=1;
                       the rest are normal
  --credentials FILE   where device passwords are kept between runs
                                         (default data/simulator-devices.json)
  --seed N             seed for the random choices (default: random, printed at start)
  --verbose            log every device event
  --help               this help

Scenarios:
${scenarioNames.map((name) => `  ${name.padEnd(8)} ${scenarioDescriptions[name]}`).join('\n')}

Existing devices of the association are used first (their passwords are rotated once and
kept in the credentials file); more are registered for households without a speaker.
`;

const defaults = {
  url: 'http://localhost:3000',
  login: 'officer@demo.tonari.jp',
  password: 'tonari-demo',
  count: 50,
  speed: 1,
  credentials: 'data/simulator-devices.json',
};

/** Parses the command line; null for --help. Throws ArgsError with a message fit for the user. */
export function parseSimulatorArgs(argv: string[]): SimulatorOptions | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        login: { type: 'string' },
        password: { type: 'string' },
        mqtt: { type: 'string' },
        count: { type: 'string' },
        speed: { type: 'string' },
        scenario: { type: 'string' },
        credentials: { type: 'string' },
        seed: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ArgsError((error as Error).message);
  }
  if (values.help) return null;
  const text = (name: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };

  const url = text('url') ?? defaults.url;
  if (!isUrl(url, ['http:', 'https:'])) throw new ArgsError(`--url must be an http:// or https:// address, not "${url}"`);
  const mqtt = text('mqtt');
  if (mqtt !== undefined && !isUrl(mqtt, ['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:'])) {
    throw new ArgsError(`--mqtt must start with mqtt://, mqtts://, ws:// or wss://, not "${mqtt}"`);
  }
  const login = text('login') ?? defaults.login;
  if (!login.trim()) throw new ArgsError('--login must not be empty');
  const password = text('password') ?? defaults.password;
  if (!password) throw new ArgsError('--password must not be empty');
  const credentials = text('credentials') ?? defaults.credentials;
  if (!credentials.trim()) throw new ArgsError('--credentials must name a file');

  const count = integer('--count', text('count'), defaults.count, 1, MAX_COUNT);
  const speedText = text('speed');
  const speed = speedText === undefined ? defaults.speed : Number(speedText);
  if (speedText !== undefined && (!/^\d+(\.\d+)?$/.test(speedText.trim()) || !(speed > 0) || speed > MAX_SPEED)) {
    throw new ArgsError(`--speed must be a number above 0 and at most ${MAX_SPEED}, not "${speedText}"`);
  }
  const seedText = text('seed');
  const seed = seedText === undefined ? undefined : integer('--seed', seedText, 0, 0, 2 ** 32 - 1);

  const scenarios = parseScenarioList(text('scenario') ?? '');
  const special = Object.values(scenarios).reduce((sum, n) => sum + (n ?? 0), 0);
  if (special > count) {
    throw new ArgsError(`--scenario asks for ${special} special devices but --count is ${count}`);
  }
  return { url: url.replace(/\/+$/, ''), login: login.trim(), password, mqtt, count, speed, scenarios, credentials, seed, verbose: values.verbose === true };
}

/** "silent=2,dead=1" → { silent: 2, dead: 1 }. */
export function parseScenarioList(list: string): SimulatorOptions['scenarios'] {
  const result: SimulatorOptions['scenarios'] = {};
  const special = scenarioNames.filter((name): name is Exclude<Scenario, 'normal'> => name !== 'normal');
  for (const part of list.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z]+)\s*=\s*(\d+)$/.exec(part);
    if (!match) throw new ArgsError(`--scenario: "${part}" is not name=count (e.g. silent=2)`);
    const name = match[1]!;
    const n = Number(match[2]);
    if (!(special as string[]).includes(name)) {
      throw new ArgsError(`--scenario: unknown scenario "${name}"; choose from ${special.join(', ')} (the rest are normal)`);
    }
    const key = name as Exclude<Scenario, 'normal'>;
    if (result[key] !== undefined) throw new ArgsError(`--scenario: "${name}" is given twice`);
    if (n > MAX_COUNT) throw new ArgsError(`--scenario: ${name}=${n} is more than ${MAX_COUNT}`);
    result[key] = n;
  }
  return result;
}

function integer(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw new ArgsError(`${flag} must be a whole number, not "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new ArgsError(`${flag} must be between ${min} and ${max}, not ${n}`);
  return n;
}

function isUrl(value: string, protocols: string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && !!url.host;
  } catch {
    return false;
  }
}

/** Scenario per device: the special ones spread at random (by the seed), the rest normal. */
export function assignScenarios(count: number, scenarios: SimulatorOptions['scenarios'], random: Random): Scenario[] {
  const list: Scenario[] = [];
  for (const [name, n] of Object.entries(scenarios) as [Scenario, number][]) for (let i = 0; i < n; i++) list.push(name);
  while (list.length < count) list.push('normal');
  return shuffle(list.slice(0, count), random);
}

