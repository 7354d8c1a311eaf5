import type { Module } from './platform/module.js';
import type { ModuleContext } from './common/service-context.js';
import { authModule } from './auth/auth.module.js';
import { rosterModule } from './roster/roster.module.js';
import { deviceModule } from './devices/device.module.js';
import { pushModule } from './push/push.module.js';
import { circularModule } from './circulars/circular.module.js';
import { taskModule } from './tasks/task.module.js';
import { watchModule } from './watch/watch.module.js';
import { drillModule } from './drills/drill.module.js';
import { readinessModule } from './readiness/readiness.module.js';
import { quakeModule } from './quakes/quake.module.js';
import { shelterModule } from './shelters/shelter.module.js';
import { directoryModule } from './directory/directory.module.js';
import { referralModule } from './referrals/referral.module.js';

/**
 * Every capability, in the order it is installed. A new capability is one line here (and its
 * routes one line in contracts/routes.ts). Order matters only for auth: its session
 * middleware runs before any route. (An answer from older speaker firmware, which names no
 * prompt kind, goes to watch and then drills: see platform/mqtt/uplink-dispatch.ts.)
 */
export const modules: ((ctx: ModuleContext) => Module)[] = [
  authModule,
  rosterModule,
  deviceModule,
  pushModule,
  circularModule,
  taskModule,
  watchModule,
  drillModule,
  readinessModule,
  quakeModule,
  shelterModule,
  directoryModule,
  referralModule,
];
