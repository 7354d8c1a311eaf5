import { useState } from 'preact/hooks';
import type { Alert } from '../../../../../server/src/contracts/watch.js';
import { api } from '../../../lib/api.js';
import { LoadState } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { mayRefer } from '../../directory/components/referral-panel.js';
import { AlertCard } from '../components/alert-card.js';
import { byNewest, withChangedAlert } from '../components/alerts.js';
import { ClosedAlerts } from '../components/closed-alerts.js';
import { WatchBoard } from '../components/watch-board.js';
import { useResource } from '../../../lib/use-resource.js';

/** /watch: live alerts first, then the homes I watch, then the closed alerts. */
export function WatchPage() {
  useTitle(t('watch.title'));
  const session = useRequiredSession();
  // Device statuses come in bursts: the board refetches at most once a second for them.
  const board = useResource((signal) => api.watchBoard(signal), { events: ['device:status'], debounceMs: 1000, onReconnect: false });
  const [showClosed, setShowClosed] = useState(false);
  const [closedTick, setClosedTick] = useState(0);
  // Alerts this helper just resolved as 支援が必要: they leave the live list, but the next step
  // (recording worries and a local service) must not be hidden in the closed list.
  const [toRefer, setToRefer] = useState<Alert[]>([]);
  // An alert changes the board and the closed list too: they refetch with the live alerts.
  const alerts = useResource((signal) => api.watchAlerts('live', signal), {
    events: ['watch:alert'],
    debounceMs: 300,
    onReconnect: 'debounced',
    onRefresh: () => {
      board.reload();
      if (showClosed) setClosedTick((n) => n + 1);
    },
  });

  const live = (alerts.data?.items ?? []).slice().sort(byNewest);
  const help = live.filter((a) => a.kind === 'help');
  const ownHousehold = session.roles.household?.id;

  function replace(updated: Alert) {
    alerts.setData((previous) => withChangedAlert(previous, updated));
    if (updated.status === 'resolved' && updated.outcome === 'needs_help' && mayRefer(session.roles)) {
      setToRefer((now) => [updated, ...now.filter((a) => a.id !== updated.id)]);
    }
    board.reload();
    if (showClosed) setClosedTick((n) => n + 1);
  }

  return (
    <div class="stack">
      <PageHeading>{t('watch.title')}</PageHeading>
      <p class="lead">{t('watch.intro')}</p>
      {session.roles.officer && (
        <p>
          <Link href="/watch/access-log">{t('watch.accessLog.link')}</Link>
        </p>
      )}
      {help.length > 0 && (
        <div class="help-page-banner" role="alert" data-testid="help-banner">
          <p>{t('watch.helpPageBanner', { names: help.map((a) => a.household.name).join('、') })}</p>
        </div>
      )}

      {toRefer.length > 0 && (
        <section class="section" aria-labelledby="referral-next-heading" data-testid="referral-next">
          <h2 id="referral-next-heading">{t('watch.referralNext.heading')}</h2>
          <p class="lead">{t('watch.referralNext.lead')}</p>
          <ul class="alert-list">
            {toRefer.map((alert) => (
              <AlertCard
                key={alert.id}
                alert={alert}
                canAct
                referNow
                onChange={replace}
                onDone={() => setToRefer((now) => now.filter((a) => a.id !== alert.id))}
              />
            ))}
          </ul>
        </section>
      )}

      <section class="section" aria-labelledby="live-alerts-heading">
        <h2 id="live-alerts-heading">{t('watch.liveHeading')}</h2>
        <LoadState state={alerts} />
        {alerts.data && live.length === 0 && (
          <p class="card all-done" data-testid="no-alerts">
            {t('watch.noLiveAlerts')}
          </p>
        )}
        {live.length > 0 && (
          <ul class="alert-list" data-testid="live-alerts">
            {live.map((alert) => (
              <AlertCard key={alert.id} alert={alert} canAct={alert.household.id !== ownHousehold} onChange={replace} />
            ))}
          </ul>
        )}
      </section>

      <section class="section" aria-labelledby="board-heading">
        <h2 id="board-heading">{t('watch.boardHeading')}</h2>
        <LoadState state={board} />
        {board.data && board.data.items.length === 0 && <p class="muted">{t('watch.boardEmpty')}</p>}
        {board.data && board.data.items.length > 0 && <WatchBoard items={board.data.items} />}
      </section>

      <section class="section" aria-labelledby="closed-heading">
        <h2 id="closed-heading">{t('watch.closedHeading')}</h2>
        <details
          class="closed-alerts"
          onToggle={(e) => setShowClosed((e.currentTarget as HTMLDetailsElement).open)}
          data-testid="closed-alerts"
        >
          <summary>{t('watch.showClosed')}</summary>
          {showClosed && <ClosedAlerts tick={closedTick} ownHousehold={ownHousehold} />}
        </details>
      </section>
    </div>
  );
}
