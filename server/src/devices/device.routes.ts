import { deviceRoutes } from '../contracts/devices.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { getDevices, registerDevice, revokeDevice, rotateCredentials, type DeviceContext } from './device.service.js';

export function registerDeviceRoutes(api: ApiRouter, ctx: DeviceContext & { disconnectDevice: (deviceId: string) => void }) {
  api.handle(deviceRoutes.list, async ({ actor }) => getDevices(ctx, actor));
  api.handle(deviceRoutes.register, async ({ actor, body }) => registerDevice(ctx, actor, body));
  api.handle(deviceRoutes.rotateCredentials, async ({ actor, params }) => rotateCredentials(ctx, actor, params.id, ctx.disconnectDevice));
  api.handle(deviceRoutes.revoke, async ({ actor, params }) => revokeDevice(ctx, actor, params.id, ctx.disconnectDevice));
}
