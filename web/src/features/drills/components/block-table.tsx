import type { Dashboard } from '../../../../../server/src/contracts/drills.js';
import { Bar } from '../../../ui/bar.js';
import { paren } from '../../../lib/format.js';
import { percentOf } from './drill-badges.js';
import { t } from '../../../lib/i18n.js';

export function BlockTable({ rows }: { rows: Dashboard['byBlock'] }) {
  if (rows.length === 0) return <p class="muted">{t('drills.dashboard.noBlocks')}</p>;
  return (
    <div class="table-wrap">
      <table class="stacked by-block" data-testid="drill-blocks">
        <thead>
          <tr>
            <th scope="col">{t('blocks.title')}</th>
            <th scope="col">{t('drills.dashboard.accounted')}</th>
            <th scope="col">{t('drills.safety.safe')}</th>
            <th scope="col">{t('drills.safety.needs_help')}</th>
            <th scope="col">{t('drills.safety.injured')}</th>
            <th scope="col">{t('drills.safety.unanswered')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.blockId} data-testid="drill-block-row">
              <td data-label={t('blocks.title')} class="block-name">
                {row.blockName}
              </td>
              <td data-label={t('drills.dashboard.accounted')}>
                <span class="rate-cell">
                  <span class="num">
                    {row.accounted} / {row.total}
                    {paren(t('drills.dashboard.percent', { percent: percentOf(row.accounted, row.total) }))}
                  </span>
                  <Bar value={row.accounted} max={row.total} />
                </span>
              </td>
              <td data-label={t('drills.safety.safe')} class="num">
                {row.safe}
              </td>
              <td data-label={t('drills.safety.needs_help')} class={row.needsHelp ? 'num warn-num' : 'num'}>
                {row.needsHelp}
              </td>
              <td data-label={t('drills.safety.injured')} class={row.injured ? 'num danger-num' : 'num'}>
                {row.injured}
              </td>
              <td data-label={t('drills.safety.unanswered')} class="num">
                {row.unanswered}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
