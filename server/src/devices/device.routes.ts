import { createDeviceRequestSchema, deviceCredentialsSchema, deviceListSchema, deviceViewSchema, idParamsSchema } from '../contracts/http.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { getDevices, registerDevice, revokeDevice, rotateCredentials, type DeviceContext } from './device.service.js';

export function registerDeviceRoutes(api: ApiRouter, ctx: DeviceContext & { disconnectDevice: (deviceId: string) => void }) {
  const tag = 'devices';
  api.route('get', '/api/devices', { summary: "The association's speaker devices and their state", tag, access: 'session', response: deviceListSchema }, async ({ actor }) =>
    getDevices(ctx, actor),
  );
  api.route('post', '/api/devices', { summary: 'Register a speaker; its MQTT password is shown once', tag, access: 'session', body: createDeviceRequestSchema, response: deviceCredentialsSchema, status: 201 }, async ({ actor, body }) =>
    registerDevice(ctx, actor, body),
  );
  api.route('post', '/api/devices/:id/credentials', { summary: "Rotate a device's MQTT password (the old one stops working)", tag, access: 'session', params: idParamsSchema, response: deviceCredentialsSchema }, async ({ actor, params }) =>
    rotateCredentials(ctx, actor, params.id, ctx.disconnectDevice),
  );
  api.route('post', '/api/devices/:id/revoke', { summary: 'Revoke a device: it can no longer connect', tag, access: 'session', params: idParamsSchema, response: deviceViewSchema }, async ({ actor, params }) =>
    revokeDevice(ctx, actor, params.id, ctx.disconnectDevice),
  );
}
