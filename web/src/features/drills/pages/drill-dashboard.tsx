import { api } from '../../../api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useAsync, useDebounced, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSocketEvent, useSocketReconnect } from '../../../lib/socket.js';
import { DashboardView } from '../components/dashboard-view.js';

/** /drills/:id: the live dashboard (officers: everything; 班長: their 班). */
export function DrillDashboardPage({ id }: { id: string }) {
  const session = useRequiredSession();
  const state = useAsync((signal) => api.drillDashboard(id, signal), [id]);
  const refetch = useDebounced(() => state.reload(), 300);
  useSocketEvent('drill:updated', (event) => {
    if (event.drillId === id) refetch();
  });
  useSocketEvent('drill:ended', (event) => {
    if (event.drillId === id) refetch();
  });
  useSocketReconnect(() => state.reload());
  const data = state.data;
  useTitle(data ? t('drills.dashboard.title', { title: data.drill.title }) : t('drills.title'));

  return (
    <div class="stack">
      <p>
        <Link href={session.roles.officer ? '/drills' : '/'}>{session.roles.officer ? t('drills.backToList') : t('drills.backHome')}</Link>
      </p>
      {state.error && !data ? (
        <>
          <PageHeading>{t('drills.title')}</PageHeading>
          <ErrorAlert error={state.error} />
        </>
      ) : null}
      {state.loading && !data && <Loading />}
      {data && <DashboardView data={data} officer={session.roles.officer} onRecorded={() => state.reload()} />}
    </div>
  );
}
