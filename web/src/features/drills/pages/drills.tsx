import { api } from '../../../lib/api.js';
import { LoadState } from '../../../ui/alerts.js';
import { DataTable } from '../../../ui/data-table.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { formatShortDateTime, paren } from '../../../lib/format.js';
import { useTitle } from '../../../lib/hooks.js';
import { DrillStatusChip, KindBadge, percentOf } from '../components/drill-badges.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useResource } from '../../../lib/use-resource.js';
import { DRILL_LIST_REFRESH } from '../components/drill-list-refresh.js';

/** /drills: every safety confirmation (officers), or the active ones for me. */
export function DrillsPage() {
  useTitle(t('drills.title'));
  const session = useRequiredSession();
  const list = useResource((signal) => api.drills(signal), DRILL_LIST_REFRESH);
  const officer = session.roles.officer;
  const items = list.data?.items ?? [];

  return (
    <div class="stack">
      <PageHeading>{t('drills.title')}</PageHeading>
      <p class="lead">{t('drills.intro')}</p>
      {officer && (
        <p>
          <Link href="/drills/new" class="button primary">
            {t('drills.new')}
          </Link>
        </p>
      )}
      <LoadState state={list} />
      {list.data && items.length === 0 && <p class="card">{officer ? t('drills.empty') : t('drills.emptyActive')}</p>}
      {items.length > 0 && (
        <DataTable
          class="stacked drill-list"
          rows={items}
          rowKey={(drill) => drill.id}
          rowProps={(drill) => ({ 'data-testid': 'drill-row', 'data-status': drill.status })}
          columns={[
            { label: t('drills.fields.kind'), cell: (drill) => <KindBadge kind={drill.kind} /> },
            {
              label: t('drills.fields.title'),
              class: 'row-title',
              cell: (drill) => (
                <Link href={drill.status === 'ended' ? `/drills/${drill.id}/report` : officer || session.roles.captainOf.length > 0 ? `/drills/${drill.id}` : `/drills/${drill.id}/tasks`}>{drill.title}</Link>
              ),
            },
            { label: t('drills.fields.status'), cell: (drill) => <DrillStatusChip status={drill.status} /> },
            { label: t('drills.fields.started'), cell: (drill) => formatShortDateTime(drill.startedAt) },
            {
              label: t('drills.fields.accounted'),
              class: 'num',
              cell: (drill) => (
                <>
                  {drill.accounted} / {drill.total}
                  {paren(t('drills.dashboard.percent', { percent: percentOf(drill.accounted, drill.total) }))}
                </>
              ),
            },
            {
              label: t('common.actions'),
              cell: (drill) => (
                <span class="actions">
                  {drill.status === 'active' ? (
                    <>
                      {(officer || session.roles.captainOf.length > 0) && (
                        <Link href={`/drills/${drill.id}`} class="button secondary small">
                          {t('drills.home.dashboard')}
                        </Link>
                      )}
                      <Link href={`/drills/${drill.id}/tasks`} class="button secondary small">
                        {t('drills.home.tasks')}
                      </Link>
                    </>
                  ) : (
                    <Link href={`/drills/${drill.id}/report`} class="button secondary small">
                      {t('drills.report.link')}
                    </Link>
                  )}
                </span>
              ),
            },
          ]}
        />
      )}
    </div>
  );
}
