import { api } from '../../../lib/api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
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
      {list.error ? <ErrorAlert error={list.error} /> : null}
      {list.loading && !list.data && <Loading />}
      {list.data && items.length === 0 && <p class="card">{officer ? t('drills.empty') : t('drills.emptyActive')}</p>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="stacked drill-list">
            <thead>
              <tr>
                <th scope="col">{t('drills.fields.kind')}</th>
                <th scope="col">{t('drills.fields.title')}</th>
                <th scope="col">{t('drills.fields.status')}</th>
                <th scope="col">{t('drills.fields.started')}</th>
                <th scope="col">{t('drills.fields.accounted')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((drill) => (
                <tr key={drill.id} data-testid="drill-row" data-status={drill.status}>
                  <td data-label={t('drills.fields.kind')}>
                    <KindBadge kind={drill.kind} />
                  </td>
                  <td data-label={t('drills.fields.title')} class="row-title">
                    <Link href={drill.status === 'ended' ? `/drills/${drill.id}/report` : `/drills/${drill.id}`}>{drill.title}</Link>
                  </td>
                  <td data-label={t('drills.fields.status')}>
                    <DrillStatusChip status={drill.status} />
                  </td>
                  <td data-label={t('drills.fields.started')}>{formatShortDateTime(drill.startedAt)}</td>
                  <td data-label={t('drills.fields.accounted')} class="num">
                    {drill.accounted} / {drill.total}
                    {paren(t('drills.dashboard.percent', { percent: percentOf(drill.accounted, drill.total) }))}
                  </td>
                  <td data-label={t('common.actions')}>
                    <span class="actions">
                      {drill.status === 'active' ? (
                        <>
                          <Link href={`/drills/${drill.id}`} class="button secondary small">
                            {t('drills.home.dashboard')}
                          </Link>
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
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
