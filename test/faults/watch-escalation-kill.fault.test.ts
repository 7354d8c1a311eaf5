import { afterAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { FaultStack } from '../support/fault-stack.js';
import { faultTestsEnabled, waitFor } from '../support/processes.js';

/**
 * A silent home on two instances, with its rules in seconds: the speaker asks first, then
 * family and the 班長, then volunteers, then officers are told. One instance is killed
 * (SIGKILL) inside the family/班長 tier and another inside the volunteers' tier; every tier
 * must still happen exactly once, each within seconds of when it was due. "Inside" means
 * past the tier's marker and new tier, before its next tier's job and commit: the
 * instance is killed while it waits to read the home's rules behind a lock the test holds.
 */
const PROMPT_WAIT_S = 10;
const TIER_WAIT_S = 20;
const KILLED_STEP_WITHIN_S = 35; // watch-escalate expires after 15 s; then supervision, retry delay, polling
const STEP_WITHIN_S = 10;

let stack: FaultStack | undefined;
let speaker: MqttClient | undefined;
afterAll(async () => {
  await speaker?.endAsync(true).catch(() => undefined);
  await stack?.destroy();
});

describe.runIf(faultTestsEnabled)('watch escalation under SIGKILL', () => {
  it('tells each tier exactly once, within seconds, with an instance killed inside two tiers', async () => {
    stack = await FaultStack.start({ WATCH_SCAN_SECONDS: '2' });
    await stack.startInstance('a');
    await stack.startInstance('b');
    const db = stack.db;
    const [home] = await stack.registerSpeakers(1);
    speaker = await stack.connectSpeaker(home!);
    // The speaker is online and heartbeating: a silent home, not a dead device.
    const up = (kind: string, payload: object) => speaker!.publishAsync(`tonari/${home!.associationId}/${home!.id}/up/${kind}`, JSON.stringify(payload), { qos: 1 });
    await up('status', { online: true });
    let seq = 0;
    const beat = () => up('heartbeat', { bootId: 'fault', seq: ++seq, ts: new Date().toISOString(), uptimeSeconds: seq, power: 'mains', battery: null, signal: -60, firmware: 'fault-test' });
    await beat();
    const heartbeats = setInterval(() => void beat().catch(() => undefined), 5_000);

    try {
      const officer = await stack.officer('a');
      const settings = await officer.patch(`/api/watch/households/${home!.householdId}/settings`, {
        enabled: true, inactivitySeconds: 3, promptWaitSeconds: PROMPT_WAIT_S, tierWaitSeconds: TIER_WAIT_S,
        shareWithFamily: true, shareWithCaptain: true, shareWithVolunteers: true,
      });
      expect(settings.status, settings.text).toBe(200);

      // The home's family can be reached (the demo's family watcher, with a login), so each tier is a step of its own.
      const family = await db.selectFrom('people').select('id').where('email', '=', 'family@demo.tonari.jp').executeTakeFirstOrThrow();
      await db.insertInto('role_assignments').values({ association_id: home!.associationId, person_id: family.id, role: 'family_watcher', household_id: home!.householdId }).execute();

      const alert = await waitFor('a silent-home alert', () => db.selectFrom('watch_alerts').selectAll().where('household_id', '=', home!.householdId).where('kind', '=', 'silent').executeTakeFirst(), 30_000, 200);
      const escalations = () => db.selectFrom('watch_alert_events').select(['tier', 'at']).where('alert_id', '=', alert.id).where('what', '=', 'escalated').orderBy('id').execute();
      const untilTier = (tier: string, timeoutMs: number) => waitFor(`the ${tier} tier`, async () => (await escalations()).find((e) => e.tier === tier), timeoutMs, 200);

      // 1. Killed inside the family/班長 tier.
      const first = await stack.lockTable('watch_settings', 'access exclusive');
      const firstVictim = await first.killWaiter((PROMPT_WAIT_S + 10) * 1000, { holding: 'watch_alert_events' });
      await stack.startInstance(firstVictim);
      const familyCaptain = await untilTier('family_captain', 60_000);

      // 2. Killed inside the volunteers' tier.
      const second = await stack.lockTable('watch_settings', 'access exclusive');
      const secondVictim = await second.killWaiter((TIER_WAIT_S + 10) * 1000, { holding: 'watch_alert_events' });
      await stack.startInstance(secondVictim);
      const volunteers = await untilTier('volunteers', 60_000);

      // 3. Officers, undisturbed.
      const officers = await untilTier('officers', (TIER_WAIT_S + STEP_WITHIN_S) * 1000);
      await new Promise((r) => setTimeout(r, 3_000)); // room for a repeat, were there one

      expect((await escalations()).map((e) => e.tier)).toEqual(['family_captain', 'volunteers', 'officers']);
      const late = (at: Date, dueAt: number) => (at.getTime() - dueAt) / 1000;
      const familyLate = late(familyCaptain.at, alert.raised_at.getTime() + PROMPT_WAIT_S * 1000);
      const volunteersLate = late(volunteers.at, familyCaptain.at.getTime() + TIER_WAIT_S * 1000);
      const officersLate = late(officers.at, volunteers.at.getTime() + TIER_WAIT_S * 1000);
      expect(familyLate, `family/班長 ${familyLate} s late`).toBeLessThan(KILLED_STEP_WITHIN_S);
      expect(volunteersLate, `volunteers ${volunteersLate} s late`).toBeLessThan(KILLED_STEP_WITHIN_S);
      expect(officersLate, `officers ${officersLate} s late`).toBeLessThan(STEP_WITHIN_S);
      const now = await db.selectFrom('watch_alerts').select(['tier', 'status']).where('id', '=', alert.id).executeTakeFirstOrThrow();
      expect(now).toEqual({ tier: 'officers', status: 'open' });
    } finally {
      clearInterval(heartbeats);
    }
  }, 240_000);
});
