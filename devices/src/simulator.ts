import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { ArgsError, assignScenarios, helpText, parseSimulatorArgs, type SimulatorOptions } from './simulator-args.js';
import { connectMqtt } from './simulator-mqtt.js';
import {
  ApiError,
  loadCredentials,
  planDevices,
  provisionDevices,
  saveCredentials,
  TonariApi,
  type ProvisionedDevice,
} from './simulator-provision.js';
import { dayPhase, formatJstTime, jstHour, seededRandom, SimulatedTime } from './simulator-patterns.js';
import { SimulatedDevice, realTimers, type DeviceEvent, type Scenario } from './simulated-device.js';

/**
 * `npm run devices -- --count N`: N simulated speakers on real MQTT connections to a
 * running tonari. See docs/simulator.md.
 */

const STATUS_EVERY_MS = 10_000;
const CONNECT_STAGGER_MS = 20;

function stamp(): string {
  return new Date().toTimeString().slice(0, 8);
}
function log(message: string): void {
  console.log(`${stamp()}  ${message}`);
}
function warn(message: string): void {
  console.warn(`${stamp()}  ! ${message}`);
}

function parseOrExit(argv: string[]): SimulatorOptions | null {
  try {
    return parseSimulatorArgs(argv);
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error;
    console.error(`simulator: ${error.message}\nRun with --help for the options.`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const options = parseOrExit(process.argv.slice(2));
  if (!options) {
    console.log(helpText);
    return;
  }
  const seed = options.seed ?? randomInt(2 ** 32 - 1);
  const random = seededRandom(seed);
  const credentialsFile = resolve(options.credentials);

  // ── Devices and passwords ─────────────────────────────────────────────────────────────
  const api = new TonariApi(options.url);
  const session = await api.login(options.login, options.password);
  if (!session.roles.officer) throw new ApiError(`${options.login} is not an officer of ${session.association.name}; devices need an officer`, 403);
  log(`logged in to ${options.url} as ${session.person.name} (${session.association.name})`);

  const cache = await loadCredentials(credentialsFile, warn);
  const listed = await api.listDevices();
  let plan = planDevices(listed, null, cache, options.count);
  if (plan.shortBy > 0) plan = planDevices(listed, await api.listHouseholds(), cache, options.count);
  if (plan.shortBy > 0) warn(`only ${options.count - plan.shortBy} households can have a speaker; running ${options.count - plan.shortBy} devices instead of ${options.count}`);
  const save = (c: typeof cache) => saveCredentials(credentialsFile, c);
  const provisioned = await provisionDevices(api, plan, cache, session.association.id, save, log);
  if (!provisioned.devices.length) throw new ApiError('no devices to simulate', 0);

  let mqttUrl = options.mqtt ?? provisioned.mqttUrl ?? (await api.brokerUrl().catch(() => null));
  if (!mqttUrl) {
    mqttUrl = `mqtt://${new URL(options.url).hostname}:1883`;
    warn(`tonari did not say where its broker is; trying ${mqttUrl} (set --mqtt)`);
  }

  // ── Devices ───────────────────────────────────────────────────────────────────────────
  const time = new SimulatedTime(Date.now(), options.speed);
  const scenarioOf = assignScenarios(provisioned.devices.length, options.scenarios, random);
  const printEvent = (event: DeviceEvent) => {
    if (event.level === 'debug' && !options.verbose) return;
    const line = `[${event.scenario}] ${event.label}: ${event.message}`;
    if (event.level === 'warn') warn(line);
    else log(line);
  };
  const describe = (d: ProvisionedDevice) => `${d.label}${d.householdName ? ` (${d.householdName})` : ''}`;
  const devices = provisioned.devices.map((d, i) => {
    const scenario = scenarioOf[i] ?? 'normal';
    return new SimulatedDevice({
      deviceId: d.deviceId,
      associationId: d.associationId,
      password: d.password,
      mqttUrl: mqttUrl,
      scenario,
      label: describe(d),
      time,
      connect: connectMqtt,
      clock: { now: () => new Date() },
      random: seededRandom(Math.floor(random() * 2 ** 32)),
      timers: realTimers,
      onEvent: printEvent,
      renewPassword: async () => {
        const response = await api.rotateCredentials(d.deviceId);
        cache[d.deviceId] = { password: response.credentials.password, associationId: d.associationId, householdId: response.device.householdId };
        await save(cache);
        return response.credentials.password;
      },
    });
  });

  const tally = new Map<Scenario, number>();
  for (const device of devices) tally.set(device.scenario, (tally.get(device.scenario) ?? 0) + 1);
  log(
    `${devices.length} devices → ${mqttUrl} · speed ×${options.speed} · seed ${seed} · ` +
      [...tally].map(([name, n]) => `${name} ${n}`).join(', '),
  );
  for (const device of devices) if (device.scenario !== 'normal') log(`  ${device.scenario.padEnd(6)} ${device.label}`);
  const simStart = time.at(new Date());
  log(`simulated clock starts at ${formatJstTime(simStart)} JST: ${dayPhase(jstHour(simStart))}`);

  devices.forEach((device, i) => setTimeout(() => device.start(), i * CONNECT_STAGGER_MS));

  // ── Status ────────────────────────────────────────────────────────────────────────────
  let lastPhase = dayPhase(jstHour(simStart));
  let announcedAllOnline = false;
  const status = setInterval(() => {
    const simNow = time.at(new Date());
    const phase = dayPhase(jstHour(simNow));
    if (phase !== lastPhase) {
      lastPhase = phase;
      log(`simulated ${formatJstTime(simNow)} JST: ${phase}`);
    }
    const sum = (pick: (d: SimulatedDevice) => number) => devices.reduce((total, d) => total + pick(d), 0);
    const online = devices.filter((d) => d.online).length;
    const dead = devices.filter((d) => d.state === 'dead').length;
    const failed = devices.filter((d) => d.state === 'failed').length;
    if (!announcedAllOnline && online === devices.length - dead - failed) {
      announcedAllOnline = true;
      log(`all ${online} live devices connected`);
    }
    log(
      `sim ${formatJstTime(simNow)} JST | online ${online}/${devices.length}` +
        (dead ? ` (${dead} dead)` : '') +
        (failed ? ` (${failed} failed)` : '') +
        ` | sent ${sum((d) => d.stats.sent)} | activity ${sum((d) => d.stats.activities)}` +
        ` | prompts answered ${sum((d) => d.stats.promptsAnswered)}/${sum((d) => d.stats.promptsReceived)}` +
        ` | speaks heard ${sum((d) => d.stats.speaksHeard)} (acked ${sum((d) => d.stats.acks)})`,
    );
    const trouble = devices.find((d) => (d.state === 'connecting' || d.state === 'offline') && d.lastError);
    if (trouble) warn(`${devices.filter((d) => d.state === 'connecting' || d.state === 'offline').length} not connected; e.g. ${trouble.label}: ${trouble.lastError}`);
  }, STATUS_EVERY_MS);

  // ── Shutdown ──────────────────────────────────────────────────────────────────────────
  let stoppingSince = 0;
  const stop = (signal: string) => {
    // `npm run` passes Ctrl-C on to its child, which already had it: one press, two signals.
    if (stoppingSince) {
      if (Date.now() - stoppingSince < 2000) return;
      log(`${signal} again: exiting now`);
      process.exit(0);
    }
    stoppingSince = Date.now();
    clearInterval(status);
    log(`${signal}: disconnecting ${devices.filter((d) => d.state !== 'dead').length} devices cleanly`);
    const force = setTimeout(() => process.exit(0), 8000);
    void Promise.allSettled(devices.map((d) => d.stop())).then(() => {
      clearTimeout(force);
      const sent = devices.reduce((total, d) => total + d.stats.sent, 0);
      log(`stopped; ${sent} messages sent`);
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ApiError) console.error(`simulator: ${error.message}`);
  else console.error('simulator:', error);
  process.exit(1);
});
