import { z } from 'zod';
import { idParamsSchema, trimmed, uuid } from './common.js';
import { defineRoute } from './route.js';

/** The speaker devices contract: registering, rotating and revoking their MQTT credentials. */

export const deviceViewSchema = z.object({
  id: uuid,
  label: z.string(),
  householdId: uuid.nullable(),
  householdName: z.string().nullable(),
  online: z.boolean(),
  revoked: z.boolean(),
  lastSeenAt: z.string().nullable(),
  battery: z.number().nullable(),
  credentialsIssuedAt: z.string(),
});
export const deviceListSchema = z.object({ items: z.array(deviceViewSchema) });
export const createDeviceRequestSchema = z.object({ label: trimmed(100), householdId: uuid.nullable().optional() });
export const deviceCredentialsSchema = z.object({
  device: deviceViewSchema,
  credentials: z.object({
    username: z.string(),
    password: z.string(),
    mqttUrl: z.string(),
    topicPrefix: z.string(),
  }),
});

export type DeviceView = z.infer<typeof deviceViewSchema>;
export type DeviceCredentials = z.infer<typeof deviceCredentialsSchema>;

const tag = 'devices';
export const deviceRoutes = {
  list: defineRoute({ method: 'get', path: '/api/devices', summary: "The association's speaker devices and their state", tag, access: 'session', response: deviceListSchema }),
  register: defineRoute({ method: 'post', path: '/api/devices', summary: 'Register a speaker; its MQTT password is shown once', tag, access: 'session', body: createDeviceRequestSchema, response: deviceCredentialsSchema, status: 201 }),
  rotateCredentials: defineRoute({ method: 'post', path: '/api/devices/:id/credentials', summary: "Rotate a device's MQTT password (the old one stops working)", tag, access: 'session', params: idParamsSchema, response: deviceCredentialsSchema }),
  revoke: defineRoute({ method: 'post', path: '/api/devices/:id/revoke', summary: 'Revoke a device: it can no longer connect', tag, access: 'session', params: idParamsSchema, response: deviceViewSchema }),
};
