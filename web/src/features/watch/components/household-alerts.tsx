import type { HouseholdWatch } from '../../../../../server/src/contracts/watch.js';
import { t } from '../../../lib/i18n.js';
import { AlertCard } from './alert-card.js';
import { byNewest } from './alerts.js';

export function HouseholdAlerts({ watch, canAct, onChange }: { watch: HouseholdWatch; canAct: boolean; onChange: () => void }) {
  const alerts = watch.alerts.slice().sort(byNewest);
  const live = alerts.filter((a) => a.status === 'open' || a.status === 'taken');
  const closed = alerts.filter((a) => a.status !== 'open' && a.status !== 'taken');
  return (
    <section class="section" aria-labelledby="household-alerts-heading">
      <h2 id="household-alerts-heading">{t('watch.household.alerts')}</h2>
      {live.length === 0 && <p class="muted" data-testid="no-alerts">{t('watch.household.noLiveAlerts')}</p>}
      {live.length > 0 && (
        <ul class="alert-list">
          {live.map((alert) => (
            <AlertCard key={alert.id} alert={alert} canAct={canAct} linkHousehold={false} onChange={onChange} />
          ))}
        </ul>
      )}
      {closed.length > 0 && (
        <details class="closed-alerts">
          <summary>{t('watch.household.closedAlerts', { count: closed.length })}</summary>
          <ul class="alert-list">
            {closed.map((alert) => (
              <AlertCard key={alert.id} alert={alert} canAct={false} linkHousehold={false} showTimeline onChange={onChange} />
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
