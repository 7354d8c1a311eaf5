import type { Db } from '../platform/db/database.js';
import { HttpError } from '../platform/http/errors.js';
import { requireRole, requireVisible, type Actor } from '../common/access.js';
import { canManageDevices } from './device.policy.js';
import type { DeviceCredentials, DeviceView } from '../contracts/devices.js';
import { topics } from '../../../devices/src/protocol.js';
import { generateDeviceSecret, hashDeviceSecret, verifyDeviceSecret } from './device-credentials.js';
import {
  addSpeakerChannel, findDevice, findDeviceSecret, findHouseholdOf, insertDevice, listDevices, revokeDeviceRow, setDeviceSecret, type DeviceRow,
} from './device.repository.js';
import { audit } from '../common/audit.repository.js';
import { ensureWatchSettings } from '../watch/watch.service.js';

/**
 * Mirrors device credentials into an external broker's own user store (Mosquitto's
 * dynamic security). The embedded broker reads the database directly and needs none.
 */
export interface BrokerCredentialSync {
  upsertDevice(device: { id: string; associationId: string; password: string }): Promise<void>;
  revokeDevice(deviceId: string): Promise<void>;
}

export interface DeviceContext {
  db: Db;
  brokerSync?: BrokerCredentialSync;
  /** The MQTT URL devices are told to connect to. */
  deviceMqttUrl: string;
}

export function toDeviceView(row: DeviceRow): DeviceView {
  return {
    id: row.id,
    label: row.label,
    householdId: row.household_id,
    householdName: row.household_name,
    online: row.online && !row.revoked_at,
    revoked: row.revoked_at !== null,
    lastSeenAt: row.last_seen_at?.toISOString() ?? null,
    battery: row.last_heartbeat?.battery ?? null,
    credentialsIssuedAt: row.credentials_issued_at.toISOString(),
  };
}

export async function getDevices(ctx: DeviceContext, actor: Actor) {
  requireRole(canManageDevices(actor, actor.associationId));
  return { items: (await listDevices(ctx.db, actor.associationId)).map(toDeviceView) };
}

async function manageableDevice(ctx: DeviceContext, actor: Actor, id: string) {
  requireRole(canManageDevices(actor, actor.associationId));
  const device = await findDevice(ctx.db, id);
  requireVisible(!!device && device.association_id === actor.associationId, 'device');
  return device!;
}

async function assertHousehold(ctx: DeviceContext, actor: Actor, householdId: string | null | undefined) {
  if (!householdId) return;
  if (!(await findHouseholdOf(ctx.db, actor.associationId, householdId))) throw HttpError.badRequest('No such household in this association.', 'householdId');
}

/** Registers a speaker; its password is returned this once and stored only as a hash. */
export async function registerDevice(ctx: DeviceContext, actor: Actor, input: { label: string; householdId?: string | null }): Promise<DeviceCredentials> {
  requireRole(canManageDevices(actor, actor.associationId));
  await assertHousehold(ctx, actor, input.householdId);
  const secret = generateDeviceSecret();
  const created = await insertDevice(ctx.db, { associationId: actor.associationId, householdId: input.householdId ?? null, label: input.label, secretHash: hashDeviceSecret(secret) });
  if (input.householdId) {
    await ensureWatchSettings(ctx.db, input.householdId, actor.associationId);
    // A household with a speaker can be reached through it.
    await addSpeakerChannel(ctx.db, input.householdId);
  }
  await ctx.brokerSync?.upsertDevice({ id: created.id, associationId: actor.associationId, password: secret });
  await audit(ctx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'device.registered', subject: created.id });
  return credentialsOf(ctx, (await findDevice(ctx.db, created.id))!, secret);
}

export async function rotateCredentials(ctx: DeviceContext, actor: Actor, id: string, disconnect: (deviceId: string) => void): Promise<DeviceCredentials> {
  const device = await manageableDevice(ctx, actor, id);
  if (device.revoked_at) throw HttpError.conflict('This device is revoked; register a new one instead.');
  const secret = generateDeviceSecret();
  await setDeviceSecret(ctx.db, id, hashDeviceSecret(secret));
  await ctx.brokerSync?.upsertDevice({ id, associationId: device.association_id, password: secret });
  // A connection made with the old password must not outlive it.
  disconnect(id);
  await audit(ctx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'device.credentials_rotated', subject: id });
  return credentialsOf(ctx, (await findDevice(ctx.db, id))!, secret);
}

export async function revokeDevice(ctx: DeviceContext, actor: Actor, id: string, disconnect: (deviceId: string) => void): Promise<DeviceView> {
  await manageableDevice(ctx, actor, id);
  await revokeDeviceRow(ctx.db, id);
  await ctx.brokerSync?.revokeDevice(id);
  disconnect(id);
  await audit(ctx.db, { associationId: actor.associationId, actorPersonId: actor.personId, action: 'device.revoked', subject: id });
  return toDeviceView((await findDevice(ctx.db, id))!);
}

function credentialsOf(ctx: DeviceContext, device: DeviceRow, password: string): DeviceCredentials {
  return {
    device: toDeviceView(device),
    credentials: { username: device.id, password, mqttUrl: ctx.deviceMqttUrl, topicPrefix: topics.prefix(device.association_id, device.id) },
  };
}

/** The broker's check of a connecting device: a live device whose secret matches. */
export async function authenticateDevice(db: Db, username: string, password: string) {
  if (!/^[0-9a-f-]{36}$/i.test(username)) return null;
  const device = await findDeviceSecret(db, username);
  if (!device || !(await verifyDeviceSecret(device.secret_hash, password))) return null;
  return { deviceId: device.id, associationId: device.association_id };
}
