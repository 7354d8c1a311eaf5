import type { Preflight } from '../../../../../server/src/contracts/readiness.js';
import { t } from '../../../lib/i18n.js';

/** A 班 whose 班長 cannot be reached, in words: who is missing, and where the visits go instead. */
export function captainGapSentence(block: string, assigned: number, visitsGoTo: Preflight['blocksWithoutCaptain'][number]['visitsGoTo']): string {
  return t(assigned > 0 ? 'readiness.gap.captainNoLogin' : 'readiness.gap.noCaptain', { block, visits: t(`readiness.visitsGoTo.${visitsGoTo}`) });
}

/** A tier (volunteers, officers) with nobody who can be reached in it, in words. */
export function tierGapSentence(tier: 'volunteers' | 'officers'): string {
  return t('readiness.gap.tier', { tier: t(`readiness.tiers.${tier}`) });
}
