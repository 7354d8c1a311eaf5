import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { registerDeviceRoutes } from './device.routes.js';

/** Speakers: registration, credentials and their broker logins. */
export function deviceModule(ctx: ModuleContext): Module {
  return {
    name: 'devices',
    routes: (api) =>
      registerDeviceRoutes(api, {
        db: ctx.db,
        brokerSync: ctx.deps.brokerSync,
        deviceMqttUrl: ctx.deps.deviceMqttUrl,
        disconnectDevice: (deviceId) => ctx.mqtt.disconnectDevice(deviceId),
      }),
  };
}
