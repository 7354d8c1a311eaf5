import type { ComponentChildren } from 'preact';
import type { Dashboard } from '../../../../../server/src/contracts/drills.js';
import { formatDuration } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { Bar } from '../../../ui/bar.js';
import { SafetyChip, percentOf } from './drill-badges.js';

const STATUS_COUNTS = [
  ['safe', 'safe'],
  ['needs_help', 'needsHelp'],
  ['injured', 'injured'],
  ['unanswered', 'unanswered'],
] as const;

/**
 * The three big numbers of a confirmation (accounted for, by status, median time to answer), on
 * the live dashboard and on the report. `testid` prefixes the test ids; `live` adds the ones the
 * dashboard's live updates are checked by.
 */
export function DrillSummary({
  counts,
  medianSeconds,
  label,
  testid,
  live = false,
  medianNote,
}: {
  counts: Dashboard['counts'];
  medianSeconds: number | null;
  label: string;
  testid: string;
  live?: boolean;
  medianNote: ComponentChildren;
}) {
  const rate = percentOf(counts.accounted, counts.total);
  return (
    <section class="progress-summary drill-summary" aria-label={label}>
      <div class="big-stat">
        <span class="big-stat-label">{t('drills.dashboard.accounted')}</span>
        <span class="big-stat-value">
          <span data-testid={`${testid}-accounted`}>
            {counts.accounted} / {counts.total}
          </span>{' '}
          <span class="big-stat-unit">{t('drills.households')}</span>
        </span>
        <span class="big-stat-sub" data-testid={live ? `${testid}-rate` : undefined}>
          {t('drills.dashboard.percent', { percent: rate })}
        </span>
        <Bar value={counts.accounted} max={counts.total} />
      </div>
      <div class="big-stat">
        <span class="big-stat-label">{t('drills.dashboard.byStatus')}</span>
        <ul class="plain status-counts" data-testid={live ? `${testid}-counts` : undefined}>
          {STATUS_COUNTS.map(([status, key]) => (
            <li key={status}>
              <SafetyChip status={status} /> <strong data-testid={live ? `${testid}-count-${status}` : undefined}>{counts[key]}</strong>
            </li>
          ))}
        </ul>
      </div>
      <div class="big-stat">
        <span class="big-stat-label">{t('drills.dashboard.median')}</span>
        <span class="big-stat-value small-value" data-testid={`${testid}-median`}>
          {formatDuration(medianSeconds)}
        </span>
        {medianNote}
      </div>
    </section>
  );
}
