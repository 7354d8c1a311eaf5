import { z } from 'zod';

/**
 * The device protocol: MQTT topics and payloads between tonari and the speakers in
 * residents' homes. The server imports these schemas to validate every uplink, the
 * simulator imports them to build its messages, and the AsyncAPI document is generated
 * from them. See docs/device-protocol.md.
 *
 * Topics (QoS 1):
 *   tonari/{associationId}/{deviceId}/up/{kind}     device → server
 *   tonari/{associationId}/{deviceId}/down/{kind}   server → device
 * A device may publish only under its own `up/` and subscribe only to its own `down/`;
 * the broker enforces this from the authenticated username (= device id). A device's MQTT
 * client id must be its device id too: another id is refused, so no device can take over
 * (and disconnect) another's session. Identity comes from the connection and topic, never
 * from the payload.
 */

export const TOPIC_ROOT = 'tonari';
export const MAX_PAYLOAD_BYTES = 4096;
/** The largest MQTT packet a broker takes, CONNECT included (Mosquitto's max_packet_size in deploy/mosquitto). */
export const MAX_PACKET_BYTES = 16384;

export const uplinkKinds = ['heartbeat', 'status', 'activity', 'played', 'ack', 'answer'] as const;
export type UplinkKind = (typeof uplinkKinds)[number];
export const downlinkKinds = ['config', 'speak', 'prompt'] as const;
export type DownlinkKind = (typeof downlinkKinds)[number];
/** What asked a `prompt`: a watch check or a safety-confirmation drill. The answer names it back. */
export const promptKinds = ['watch', 'drill'] as const;
export type PromptKind = (typeof promptKinds)[number];

export const topics = {
  prefix: (associationId: string, deviceId: string) => `${TOPIC_ROOT}/${associationId}/${deviceId}`,
  uplink: (associationId: string, deviceId: string, kind: UplinkKind) =>
    `${TOPIC_ROOT}/${associationId}/${deviceId}/up/${kind}`,
  downlink: (associationId: string, deviceId: string, kind: DownlinkKind) =>
    `${TOPIC_ROOT}/${associationId}/${deviceId}/down/${kind}`,
  /** What the server subscribes to; `$share/{group}/` in front splits load between instances. */
  allUplinks: `${TOPIC_ROOT}/+/+/up/#`,
};

export interface ParsedTopic {
  associationId: string;
  deviceId: string;
  direction: 'up' | 'down';
  kind: string;
}

export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== TOPIC_ROOT) return null;
  const [, associationId, deviceId, direction, kind] = parts as [string, string, string, string, string];
  if (direction !== 'up' && direction !== 'down') return null;
  return { associationId, deviceId, direction, kind };
}

/** Every uplink carries these: a boot id (new at each restart), a per-boot sequence number and the device clock. */
const envelope = {
  bootId: z.string().min(1).max(64),
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  ts: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp' }),
};

export const heartbeatSchema = z.object({
  ...envelope,
  uptimeSeconds: z.number().int().min(0),
  power: z.enum(['mains', 'battery']),
  battery: z.number().min(0).max(100).nullable(),
  signal: z.number().min(-150).max(0).nullable(),
  firmware: z.string().min(1).max(40),
});

/** Published by the device on connect (online: true) and set as its last will (online: false). */
export const statusSchema = z.object({ online: z.boolean() });

/**
 * Signs of life in the home: the presence sensor (motion counted over the report interval),
 * a button pressed (無事 safe, 助けて help, 再生 play), or a spoken interaction.
 */
export const activitySchema = z.discriminatedUnion('type', [
  z.object({ ...envelope, type: z.literal('presence'), count: z.number().int().min(1).max(10_000) }),
  z.object({ ...envelope, type: z.literal('button'), button: z.enum(['safe', 'help', 'play']) }),
  z.object({ ...envelope, type: z.literal('voice') }),
]);

/**
 * The resident answered a `prompt` (a watch check or a drill) with a button. `promptKind`
 * echoes the prompt's `kind`, so the server hands the answer to what asked; firmware older
 * than it sends none, and the server then looks the id up as a watch check, then a drill.
 */
export const answerSchema = z.object({
  ...envelope,
  promptId: z.string().min(1).max(64),
  promptKind: z.enum(promptKinds).optional(),
  button: z.enum(['safe', 'help']),
});

/** The device finished reading a `speak` message aloud. */
export const playedSchema = z.object({ ...envelope, messageId: z.string().min(1).max(64) });

/** The resident pressed the acknowledge (既読) button while or after a `speak` message played. */
export const ackSchema = z.object({ ...envelope, messageId: z.string().min(1).max(64) });

export const uplinkSchemas = {
  heartbeat: heartbeatSchema,
  status: statusSchema,
  activity: activitySchema,
  played: playedSchema,
  ack: ackSchema,
  answer: answerSchema,
} as const;

/** Server → device: read this aloud. `id` comes back in `played` and `ack`. */
export const speakSchema = z.object({
  id: z.string().min(1).max(64),
  kind: z.enum(['circular', 'reminder']),
  title: z.string().max(200),
  text: z.string().max(2000),
  priority: z.enum(['normal', 'high']),
  /** Whether pressing the button acknowledges (既読) the message. */
  acknowledgeable: z.boolean(),
});

/**
 * Server → device: ask the resident a question aloud and wait for a button. `buttons` says
 * which buttons answer it; the answer comes back as an `answer` uplink with this `id`.
 */
export const promptSchema = z.object({
  id: z.string().min(1).max(64),
  /** Echoed in the answer as `promptKind`. */
  kind: z.enum(promptKinds),
  text: z.string().max(2000),
  buttons: z.array(z.enum(['safe', 'help'])).min(1),
  /** After this the device stops asking (ISO 8601). */
  expiresAt: z.iso.datetime({ offset: true }),
});

/** Server → device: settings. */
export const configSchema = z.object({
  heartbeatSeconds: z.number().int().min(10).max(3600),
  /** Local times "HH:MM" between which the device stays quiet (no chimes, no prompts unless urgent). */
  quietHours: z.object({ start: z.string().regex(/^\d{2}:\d{2}$/), end: z.string().regex(/^\d{2}:\d{2}$/) }).nullable(),
});

export const downlinkSchemas = { speak: speakSchema, prompt: promptSchema, config: configSchema } as const;

export type Heartbeat = z.infer<typeof heartbeatSchema>;
export type Status = z.infer<typeof statusSchema>;
export type Speak = z.infer<typeof speakSchema>;
export type Prompt = z.infer<typeof promptSchema>;
export type Answer = z.infer<typeof answerSchema>;
export type Played = z.infer<typeof playedSchema>;
export type Ack = z.infer<typeof ackSchema>;
/** An uplink stored as an event (every kind but `status`, which only changes the device's state). */
export type StoredUplink = Heartbeat | Activity | Answer | Played | Ack;
export type Activity = z.infer<typeof activitySchema>;
export type DeviceConfig = z.infer<typeof configSchema>;
