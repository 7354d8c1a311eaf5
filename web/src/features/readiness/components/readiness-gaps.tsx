import type { Readiness } from '../../../../../server/src/contracts/readiness.js';
import { t } from '../../../lib/i18n.js';
import { captainGapSentence, tierGapSentence } from './gap-sentences.js';
import { FoldedHouseholds } from './reach-households.js';

/**
 * The gaps, named in words, each with the households behind it: a 班 whose 班長 cannot be
 * reached (and where its visits go), the homes nobody can reach, a tier with nobody in it.
 */
export function ReadinessGaps({ view }: { view: Readiness }) {
  const items = [
    ...view.blocks.flatMap((block) => [
      block.captainGap && (
        <li key={`${block.id}-captain`} data-testid="gap-captain" data-block={block.name}>
          {captainGapSentence(block.name, block.captainGap.assigned, block.captainGap.visitsGoTo)}
        </li>
      ),
      block.nobody.length > 0 && (
        <li key={`${block.id}-nobody`} data-testid="gap-nobody" data-block={block.name}>
          {t('readiness.gap.nobody', { block: block.name, count: block.nobody.length })}
          <FoldedHouseholds summary={t('readiness.showHomes', { count: block.nobody.length })} homes={block.nobody} testid="gap-nobody-homes" />
        </li>
      ),
    ]),
    ...view.tiers
      .filter((tier) => !tier.reachable)
      .map((tier) => (
        <li key={tier.tier} data-testid="gap-tier">
          {tierGapSentence(tier.tier)}
        </li>
      )),
  ].filter(Boolean);
  if (items.length === 0) return <p data-testid="no-gaps">{t('readiness.noGaps')}</p>;
  return (
    <ul class="readiness-gaps" data-testid="readiness-gaps">
      {items}
    </ul>
  );
}
