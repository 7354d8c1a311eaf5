import type { ServiceContext } from '../common/service-context.js';

/**
 * Watching over homes (見守り), as the routes, the module and other capabilities call it.
 * The work is in small services by responsibility:
 * - activity.service.ts — signs of life, prompt answers, devices back, hourly views, retention
 * - scan.service.ts — the silent-home and device-offline scan, and the resident's prompt
 * - escalation.service.ts — the tiers of a silent home, a help press
 * - alert.service.ts — alert lists, taking and closing, telling people
 * - settings.service.ts — rules, consent, away periods, a home's watch view
 * - rhythm.service.ts — each home's learned daily rhythm (the check in hours, not a day)
 * - board.service.ts — the watch board and the access log
 * Who may see and do what is in watch.policy.ts; the SQL in watch.repository.ts and alert.repository.ts.
 */
export type WatchContext = ServiceContext;

export { recordActivities, recordActivity, recordPromptAnswer, devicesBack, deleteOldEvents } from './activity.service.js';
export { scan, raiseSilent } from './scan.service.js';
export { escalate, raiseHelp } from './escalation.service.js';
export { listAlerts, takeAlert, resolveAlert } from './alert.service.js';
export { ensureWatchSettings, settingsView, householdWatch, updateSettings, addAway, removeAway } from './settings.service.js';
export { watchBoard, accessLog } from './board.service.js';
export { learnRhythms, learnAssociation, replanForZone } from './rhythm.service.js';
export type { AlertKind } from './watch.tables.js';
