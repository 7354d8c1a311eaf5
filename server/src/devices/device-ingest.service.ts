/**
 * Moved: the ingest door is platform/mqtt/ingest.ts, the devices' side of it
 * device.uplinks.ts, the handlers' types platform/module.ts. These re-exports keep branches
 * written against the old path compiling until they are merged; then import from the new
 * places and delete this file.
 */
export type { ActivityEvent } from '../platform/module.js';
export { NotApplicable } from '../platform/mqtt/uplink-dispatch.js';
