import type { Dashboard } from '../../../../../server/src/contracts/drills.js';
import { Bar } from '../../../ui/bar.js';
import { DataTable } from '../../../ui/data-table.js';
import { paren } from '../../../lib/format.js';
import { percentOf } from './drill-badges.js';
import { t } from '../../../lib/i18n.js';

export function BlockTable({ rows }: { rows: Dashboard['byBlock'] }) {
  if (rows.length === 0) return <p class="muted">{t('drills.dashboard.noBlocks')}</p>;
  return (
    <DataTable
      class="stacked by-block"
      testid="drill-blocks"
      rows={rows}
      rowKey={(row) => row.blockId}
      rowProps={() => ({ 'data-testid': 'drill-block-row' })}
      columns={[
        { label: t('blocks.title'), class: 'block-name', cell: (row) => row.blockName },
        {
          label: t('drills.dashboard.accounted'),
          cell: (row) => (
            <span class="rate-cell">
              <span class="num">
                {row.accounted} / {row.total}
                {paren(t('drills.dashboard.percent', { percent: percentOf(row.accounted, row.total) }))}
              </span>
              <Bar value={row.accounted} max={row.total} />
            </span>
          ),
        },
        { label: t('drills.safety.safe'), class: 'num', cell: (row) => row.safe },
        { label: t('drills.safety.needs_help'), class: (row) => (row.needsHelp ? 'num warn-num' : 'num'), cell: (row) => row.needsHelp },
        { label: t('drills.safety.injured'), class: (row) => (row.injured ? 'num danger-num' : 'num'), cell: (row) => row.injured },
        { label: t('drills.safety.unanswered'), class: 'num', cell: (row) => row.unanswered },
      ]}
    />
  );
}
