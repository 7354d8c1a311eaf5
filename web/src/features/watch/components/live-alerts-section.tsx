import type { Alert } from '../../../../../server/src/contracts/watch.js';
import { api } from '../../../lib/api.js';
import { LoadState } from '../../../ui/alerts.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useResource } from '../../../lib/use-resource.js';
import { AlertCard } from './alert-card.js';
import { byNewest, withChangedAlert } from './alerts.js';

/**
 * For volunteers, 民生委員 and officers on their home page: the open watch alerts that have
 * reached them, to take ("I'll go") and record there. Nothing is shown when there are none.
 */
export function LiveAlertsSection() {
  const session = useRequiredSession();
  const alerts = useResource((signal) => api.watchAlerts('live', signal), { events: ['watch:alert'], debounceMs: 300, onReconnect: 'debounced' });
  const live = (alerts.data?.items ?? []).slice().sort(byNewest);
  if (alerts.data && live.length === 0) return null;
  const ownHousehold = session.roles.household?.id;

  function replace(updated: Alert) {
    alerts.setData((previous) => withChangedAlert(previous, updated));
  }

  return (
    <section class="section" aria-labelledby="home-alerts-heading" data-testid="home-alerts">
      <h2 id="home-alerts-heading">{t('home.alerts.heading')}</h2>
      <LoadState state={alerts} />
      {live.length > 0 && (
        <ul class="alert-list">
          {live.map((alert) => (
            <AlertCard key={alert.id} alert={alert} canAct={alert.household.id !== ownHousehold} onChange={replace} />
          ))}
        </ul>
      )}
      <p>
        <Link href="/watch">{t('home.alerts.all')}</Link>
      </p>
    </section>
  );
}
