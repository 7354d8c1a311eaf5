import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { registerShelterRoutes } from './shelter.routes.js';
import './shelter.tables.js';

/** Shelters: the association's designated evacuation sites, imported from open data, named by "evacuated" answers (docs/architecture.md, "Shelters"). */
export function shelterModule(ctx: ModuleContext): Module {
  return { name: 'shelters', routes: (api) => registerShelterRoutes(api, ctx) };
}
