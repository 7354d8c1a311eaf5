import { api } from '../../../lib/api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { useAsync } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { AlertCard } from './alert-card.js';
import { byNewest } from './alerts.js';

export function ClosedAlerts({ tick, ownHousehold }: { tick: number; ownHousehold: string | undefined }) {
  const closed = useAsync((signal) => api.watchAlerts('closed', signal), [tick]);
  if (closed.error) return <ErrorAlert error={closed.error} />;
  if (!closed.data) return <Loading />;
  const items = closed.data.items.slice().sort(byNewest);
  if (items.length === 0) return <p class="muted">{t('watch.noClosedAlerts')}</p>;
  return (
    <ul class="alert-list">
      {items.map((alert) => (
        <AlertCard
          key={alert.id}
          alert={alert}
          canAct={alert.household.id !== ownHousehold}
          showTimeline
          onChange={(updated) => closed.setData((previous) => previous && { items: previous.items.map((a) => (a.id === updated.id ? updated : a)) })}
        />
      ))}
    </ul>
  );
}
