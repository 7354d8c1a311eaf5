import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { registerReadinessRoutes } from './readiness.routes.js';

/** Readiness: who can be reached how, per 班 and tier, and the gaps, before anything is sent. */
export function readinessModule(ctx: ModuleContext): Module {
  return { name: 'readiness', routes: (api) => registerReadinessRoutes(api, { db: ctx.db }) };
}
