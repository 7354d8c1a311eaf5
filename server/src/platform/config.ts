import { z } from 'zod';

/** "true"/"false"/"1"/"0" from the environment, nothing else. */
const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const portMessage = { message: 'must be a port number from 0 to 65535' };
const port = z.coerce.number(portMessage).int(portMessage).min(0, portMessage).max(65535, portMessage);

/**
 * Every setting tonari reads, all from the environment. README documents each one;
 * keep the two in step.
 */
export const configSchema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  PUBLIC_URL: z.url({ message: 'must be an absolute URL such as http://localhost:3000' }).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  EMBEDDED_PG_PORT: port.default(5433),
  MQTT_URL: z
    .string()
    .regex(/^(mqtts?|wss?|tcp):\/\//, 'must start with mqtt://, mqtts://, ws:// or wss://')
    .optional(),
  MQTT_PORT: port.default(1883),
  // Empty (the default): a plain subscription, which Mosquitto keeps across its own restarts.
  MQTT_SHARE_GROUP: z.string().regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, _ and - only').default(''),
  MQTT_DYNSEC: booleanFlag.default(false),
  SEED_DEMO: booleanFlag.optional(),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 365).default(24 * 30),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10),
  WATCH_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  WATCH_SCAN_SECONDS: z.coerce.number().int().min(1).max(60).default(60),
  // JMA's high-frequency seismic feed, read every minute for earthquake triggers (quakes/).
  QUAKE_FEED: booleanFlag.default(true),
  QUAKE_FEED_URL: z.url({ message: 'must be an absolute URL' }).default('https://www.data.jma.go.jp/developer/xml/feed/eqvol.xml'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema> & { publicUrl: string; embedded: { database: boolean; broker: boolean } };

export class ConfigError extends Error {}

/** Parses the environment; a bad value becomes one line naming the variable and what is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(blankless);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  const config = parsed.data;
  return {
    ...config,
    publicUrl: (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, ''),
    embedded: { database: !config.DATABASE_URL, broker: !config.MQTT_URL },
  };
}
