import { authRoutes } from './auth.js';
import { circularRoutes } from './circulars.js';
import { deviceRoutes } from './devices.js';
import { drillRoutes } from './drills.js';
import { pushRoutes } from './push.js';
import { rosterRoutes } from './roster.js';
import { taskRoutes } from './tasks.js';
import { watchRoutes } from './watch.js';
import { readinessRoutes } from './readiness.js';
import { quakeRoutes } from './quakes.js';
import { shelterRoutes } from './shelters.js';
import { directoryRoutes } from './directory.js';
import { directoryImportRoutes } from './directory-import.js';
import { referralRoutes } from './referrals.js';
import { directoryAccountRoutes } from './directory-accounts.js';
import { directoryCityRoutes } from './directory-city.js';

/**
 * Every HTTP route of the API, by capability: the one list a new capability adds a line to.
 * The server serves each of them (test/route-contracts.test.ts checks it serves exactly
 * these), and the web client calls them by name.
 */
export const routeContracts = {
  auth: authRoutes,
  roster: rosterRoutes,
  devices: deviceRoutes,
  circulars: circularRoutes,
  tasks: taskRoutes,
  watch: watchRoutes,
  drills: drillRoutes,
  push: pushRoutes,
  readiness: readinessRoutes,
  quakes: quakeRoutes,
  shelters: shelterRoutes,
  directory: directoryRoutes,
  directoryImport: directoryImportRoutes,
  referrals: referralRoutes,
  directoryAccounts: directoryAccountRoutes,
  directoryCity: directoryCityRoutes,
};
