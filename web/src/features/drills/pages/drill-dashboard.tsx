import { api } from '../../../lib/api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { useRequiredSession } from '../../../lib/session.js';
import { DashboardView } from '../components/dashboard-view.js';
import { useResource } from '../../../lib/use-resource.js';
import { BackLink } from '../../../ui/back-link.js';

/** /drills/:id: the live dashboard (officers: everything; 班長: their 班). */
export function DrillDashboardPage({ id }: { id: string }) {
  const session = useRequiredSession();
  const state = useResource((signal) => api.drillDashboard(id, signal), {
    deps: [id],
    events: ['drill:updated', 'drill:ended'],
    filter: { 'drill:updated': (event) => event.drillId === id, 'drill:ended': (event) => event.drillId === id },
    debounceMs: 300,
  });
  const data = state.data;
  useTitle(data ? t('drills.dashboard.title', { title: data.drill.title }) : t('drills.title'));

  return (
    <div class="stack">
      <BackLink href={session.roles.officer ? '/drills' : '/'}>{session.roles.officer ? t('drills.backToList') : t('drills.backHome')}</BackLink>
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
