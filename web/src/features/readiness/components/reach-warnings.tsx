import { api } from '../../../lib/api.js';
import { useAsync } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { captainGapSentence, tierGapSentence } from './gap-sentences.js';
import { FoldedHouseholds } from './reach-households.js';

/**
 * Before a drill starts or a circular is published: the homes in the chosen scope nobody can
 * reach, the 班 whose 班長 cannot be reached and the tiers with nobody in them. A warning,
 * not a block: the officer still starts or publishes. `blockIds` null is the whole association;
 * an empty choice shows nothing (the form asks for a 班 first).
 */
export function ReachWarnings({ blockIds }: { blockIds: string[] | null }) {
  const key = blockIds === null ? 'all' : [...blockIds].sort().join(',');
  const preflight = useAsync(
    (signal) => (blockIds !== null && blockIds.length === 0 ? Promise.resolve(null) : api.readinessPreflight(blockIds, signal)),
    [key],
  );
  const data = preflight.data;
  if (!data) return null;
  const gaps = data.nobody.length + data.blocksWithoutCaptain.length + data.unreachableTiers.length;
  if (gaps === 0) {
    return (
      <p class="muted" data-testid="reach-warnings" data-gaps="0">
        {t('readiness.warnings.none', { count: data.households })}
      </p>
    );
  }
  return (
    <div class="alert alert-warning" role="status" data-testid="reach-warnings" data-gaps={gaps}>
      <p>
        <strong>{t('readiness.warnings.title')}</strong>
      </p>
      <ul>
        {data.nobody.length > 0 && <li data-testid="reach-warning-nobody">{t('readiness.warnings.nobody', { count: data.nobody.length, total: data.households })}</li>}
        {data.blocksWithoutCaptain.map((block) => (
          <li key={block.id} data-testid="reach-warning-captain">
            {captainGapSentence(block.name, block.assigned, block.visitsGoTo)}
          </li>
        ))}
        {data.unreachableTiers.map((tier) => (
          <li key={tier} data-testid="reach-warning-tier">
            {tierGapSentence(tier)}
          </li>
        ))}
      </ul>
      <FoldedHouseholds summary={t('readiness.warnings.showHomes', { count: data.nobody.length })} homes={data.nobody} testid="reach-warning-homes" />
      <p class="small-text">{t('readiness.warnings.stillGo')}</p>
    </div>
  );
}
