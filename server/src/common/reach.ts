import { topics, type Prompt, type Speak } from '../../../devices/src/protocol.js';
import type { Db } from '../platform/db/database.js';
import { liveSpeakersInHouseholds, loginsInHouseholds } from './reach.repository.js';
import type { MqttTransport } from '../platform/mqtt/mqtt-transport.js';
import type { PushPayload, PushService } from '../push/push.service.js';

/**
 * Delivering a message to households and people through Web Push and their speakers, with one
 * batching rule, for every capability that must reach someone (circulars, watch alerts, drills).
 * Socket events are not here: those go to rooms through Realtime.
 */

/** Speaker downlinks published at once: enough to keep the broker busy, few enough not to flood it. */
export const SPEAKER_BATCH = 100;

export type SpeakerMessage = { kind: 'speak'; payload: Speak } | { kind: 'prompt'; payload: Prompt };

export interface HouseholdMessage {
  /** Pushed to every member with a login and a subscribed browser. */
  push: PushPayload;
  /** Read aloud or asked on the household's live speakers. */
  speaker?: SpeakerMessage;
  /**
   * Speakers only where the household chose the speaker channel (circulars). Without it
   * every live speaker of the household is used (a safety question goes on every channel).
   */
  speakerChannelOnly?: boolean;
}

/**
 * One way to reach households and people: Web Push to members' browsers and speaker
 * downlinks, with one batching rule. Called after the commit of the state it announces
 * (these are reminders of stored state, safe to repeat); within a unit of work, through
 * `tx.afterCommit`.
 */
export interface Reach {
  households(householdIds: readonly string[], message: HouseholdMessage): Promise<{ pushed: number; spoken: number }>;
  people(personIds: readonly string[], push: PushPayload): Promise<{ pushed: number }>;
  devices(devices: readonly { id: string; association_id: string }[], message: SpeakerMessage): Promise<number>;
}

export function createReach(deps: { db: Db; push: PushService; mqtt: MqttTransport }): Reach {
  const reach: Reach = {
    async households(householdIds, message) {
      if (!householdIds.length) return { pushed: 0, spoken: 0 };
      const [people, devices] = await Promise.all([
        loginsInHouseholds(deps.db, householdIds),
        message.speaker ? liveSpeakersInHouseholds(deps.db, householdIds, !!message.speakerChannelOnly) : Promise.resolve([]),
      ]);
      const { pushed } = await reach.people(people.map((p) => p.id), message.push);
      const spoken = message.speaker ? await reach.devices(devices, message.speaker) : 0;
      return { pushed, spoken };
    },
    async people(personIds, push) {
      if (!personIds.length) return { pushed: 0 };
      const result = await deps.push.sendToPeople([...personIds], push);
      return { pushed: result.sent };
    },
    async devices(devices, message) {
      for (let i = 0; i < devices.length; i += SPEAKER_BATCH) {
        await Promise.all(devices.slice(i, i + SPEAKER_BATCH).map((d) => deps.mqtt.publish(topics.downlink(d.association_id, d.id, message.kind), message.payload)));
      }
      return devices.length;
    },
  };
  return reach;
}
