/**
 * The shared helpers and the session, roster and devices contracts under their first name:
 * each now lives in a file of its own (common.ts, auth.ts, roster.ts, devices.ts). Kept so
 * that the importers written before the split (web pages, services) go on compiling while
 * they move; new code imports from the capability's own file.
 */
export * from './common.js';
export * from './auth.js';
export * from './roster.js';
export * from './devices.js';
