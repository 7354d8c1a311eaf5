import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { registerTaskRoutes } from './task.routes.js';

/** A captain's tasks: households to chase for overdue circulars, and their phone list of everything pending per home. */
export function taskModule(ctx: ModuleContext): Module {
  return { name: 'tasks', routes: (api) => registerTaskRoutes(api, ctx) };
}
