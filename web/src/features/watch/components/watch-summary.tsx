import type { HouseholdWatch } from '../../../../../server/src/contracts/watch.js';
import { formatShortDateTime, paren, relativeTime } from '../../../lib/format.js';
import { useNow } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';

export function WatchSummary({ watch }: { watch: HouseholdWatch }) {
  const now = useNow();
  const today = watch.days[watch.days.length - 1];
  const todayCount = today ? today.hours.reduce((a, b) => a + b, 0) : 0;
  return (
    <dl class="facts card watch-summary" data-testid="watch-summary">
      <div>
        <dt>{t('watch.lastActivity')}</dt>
        <dd>
          <strong class="big-inline">{watch.lastActivityAt ? relativeTime(watch.lastActivityAt, now) : t('watch.noActivity')}</strong>
          {watch.lastActivityAt && <span class="muted">{paren(formatShortDateTime(watch.lastActivityAt))}</span>}
        </dd>
      </div>
      <div>
        <dt>{t('watch.chart.todayLabel')}</dt>
        <dd>
          <strong class="big-inline">{t('watch.chart.times', { count: todayCount })}</strong>
        </dd>
      </div>
      <div>
        <dt>{t('watch.household.state')}</dt>
        <dd>{watch.settings.enabled ? t('watch.household.enabled') : t('watch.household.disabled')}</dd>
      </div>
      {watch.settings.enabled && watch.nextCheckAt && (
        <div>
          <dt>{t('watch.household.nextCheck')}</dt>
          <dd>{formatShortDateTime(watch.nextCheckAt)}</dd>
        </div>
      )}
    </dl>
  );
}
