import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { BackLink } from '../../../ui/back-link.js';
import { useRequiredSession } from '../../../lib/session.js';
import { AlertCard } from '../components/alert-card.js';
import { findAlert } from '../components/alerts.js';
import { useResource } from '../../../lib/use-resource.js';

/** /watch/alerts/:id (the link in a push notification): the alert on its own. */
export function WatchAlertPage({ id }: { id: string }) {
  useTitle(t('watch.alertTitle'));
  const session = useRequiredSession();
  const state = useResource(
    async () => {
      const alert = await findAlert(id);
      return alert ?? null;
    },
    { deps: [id], events: ['watch:alert'], filter: { 'watch:alert': (event) => event.alertId === id }, debounceMs: 300 },
  );
  return (
    <div class="stack">
      <BackLink href="/watch">{t('watch.backToWatch')}</BackLink>
      <PageHeading>{t('watch.alertTitle')}</PageHeading>
      {state.error ? <ErrorAlert error={state.error} /> : null}
      {state.loading && state.data === undefined && <Loading />}
      {state.data === null && <p class="card">{t('watch.alertNotFound')}</p>}
      {state.data && (
        <ul class="alert-list">
          <AlertCard
            alert={state.data}
            canAct={state.data.household.id !== session.roles.household?.id}
            showTimeline
            headingLevel={2}
            onChange={(updated) => state.setData(() => updated)}
          />
        </ul>
      )}
    </div>
  );
}
