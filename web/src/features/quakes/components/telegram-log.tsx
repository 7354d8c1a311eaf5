import type { QuakeLogEntry } from '../../../../../server/src/contracts/quakes.js';
import { Link } from '../../../lib/router.js';
import { formatDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { DataTable } from '../../../ui/data-table.js';
import { intensityText } from './trigger-form.js';

/** The JMA telegrams that named the association's areas, newest first, with what was decided for each. */
export function TelegramLog({ items }: { items: QuakeLogEntry[] }) {
  if (!items.length) return <p data-testid="quake-log-empty">{t('quakes.log.empty')}</p>;
  return (
    <DataTable
      testid="quake-log"
      rows={items}
      rowKey={(row) => row.id}
      rowProps={(row) => ({ 'data-action': row.action })}
      columns={[
        { label: t('quakes.log.at'), cell: (row) => formatDateTime(row.at), rowHeader: true },
        { label: t('quakes.log.telegram'), cell: (row) => `${row.title ?? '—'}${row.infoType && row.infoType !== '発表' ? `（${row.infoType}）` : ''}${row.status && row.status !== '通常' ? `［${row.status}］` : ''}` },
        { label: t('quakes.log.intensity'), cell: (row) => (row.intensity ? intensityText(row.intensity) : '—') },
        { label: t('quakes.log.basis'), testid: 'quake-basis', cell: (row) => (row.basis ? t(row.basis === 'city' ? 'quakes.log.basisCity' : 'quakes.log.basisArea', { places: row.places.join('、') }) : '—') },
        { label: t('quakes.log.decision'), testid: 'quake-decision', cell: (row) => t(`quakes.reasons.${row.reason}`) },
        {
          label: t('quakes.log.event'),
          cell: (row) =>
            row.trigger?.drillId ? <Link href={`/drills/${row.trigger.drillId}`}>{t('quakes.log.open')}</Link> : row.trigger?.status === 'pending' ? t('quakes.log.startsAt', { at: formatDateTime(row.trigger.fireAt) }) : '—',
        },
      ]}
    />
  );
}
