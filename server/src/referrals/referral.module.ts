import type { Module } from '../platform/module.js';
import type { ModuleContext } from '../common/service-context.js';
import { registerReferralRoutes } from './referral.routes.js';
import './referral.tables.js';

/**
 * Referrals to the local support directory (お悩みハンドブック): from a watch alert or drill
 * visit that found a household needing help, with its consent; the officers' counts.
 */
export function referralModule(ctx: ModuleContext): Module {
  return { name: 'referrals', routes: (api) => registerReferralRoutes(api, ctx) };
}
