import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { registerRosterRoutes } from './roster.routes.js';

/** Blocks (班), households, people and their roles; roster import and passcodes. */
export function rosterModule(ctx: ModuleContext): Module {
  return { name: 'roster', routes: (api) => registerRosterRoutes(api, { db: ctx.db, log: ctx.log, realtime: ctx.realtime, publicUrl: ctx.publicUrl }) };
}
