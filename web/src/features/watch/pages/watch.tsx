import { useState } from 'preact/hooks';
import type { Alert, WatchedHousehold } from '../../../../../server/src/contracts/watch.js';
import { api } from '../../../api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { formatDateTime, joinParts, paren, relativeTime } from '../../../lib/format.js';
import { useAsync, useDebounced, useNow, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSocketEvent, useSocketReconnect } from '../../../lib/socket.js';
import { AlertCard, byNewest, findAlert } from '../components/alert-card.js';

/** /watch: live alerts first, then the homes I watch, then the closed alerts. */
export function WatchPage() {
  useTitle(t('watch.title'));
  const session = useRequiredSession();
  const alerts = useAsync((signal) => api.watchAlerts('live', signal), []);
  const board = useAsync((signal) => api.watchBoard(signal), []);
  const [showClosed, setShowClosed] = useState(false);
  const [closedTick, setClosedTick] = useState(0);
  const refetch = useDebounced(() => {
    alerts.reload();
    board.reload();
    if (showClosed) setClosedTick((n) => n + 1);
  }, 300);
  const refetchBoard = useDebounced(() => board.reload(), 1000);
  useSocketEvent('watch:alert', () => refetch());
  useSocketEvent('device:status', () => refetchBoard());
  useSocketReconnect(() => refetch());

  const live = (alerts.data?.items ?? []).slice().sort(byNewest);
  const help = live.filter((a) => a.kind === 'help');
  const ownHousehold = session.roles.household?.id;

  function replace(updated: Alert) {
    alerts.setData((previous) => {
      if (!previous) return previous;
      const stillLive = updated.status === 'open' || updated.status === 'taken';
      const items = previous.items.filter((a) => a.id !== updated.id);
      return { items: stillLive ? [updated, ...items] : items };
    });
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

      <section class="section" aria-labelledby="live-alerts-heading">
        <h2 id="live-alerts-heading">{t('watch.liveHeading')}</h2>
        {alerts.error ? <ErrorAlert error={alerts.error} /> : null}
        {alerts.loading && !alerts.data && <Loading />}
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
        {board.error ? <ErrorAlert error={board.error} /> : null}
        {board.loading && !board.data && <Loading />}
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

function ClosedAlerts({ tick, ownHousehold }: { tick: number; ownHousehold: string | undefined }) {
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

/** The homes I watch: last sign of life, devices, away, alerts. */
export function WatchBoard({ items }: { items: WatchedHousehold[] }) {
  const now = useNow();
  return (
    <ul class="card-list watch-board">
      {items.map((home) => {
        const alertKinds = [...new Set(home.liveAlerts.map((a) => a.kind))];
        return (
          <li
            key={home.householdId}
            class={home.liveAlerts.length > 0 ? 'card watched-home has-alert' : 'card watched-home'}
            data-testid="watched-home"
            data-household-id={home.householdId}
          >
            <Link href={`/watch/households/${home.householdId}`} class="watched-home-link">
              <span class="watched-home-name">
                {home.householdNumber} {home.name}
              </span>
              <span class="muted">{home.blockName}</span>
              <span class="watched-home-activity" data-testid="home-last-activity">
                {t('watch.lastActivityLine', { when: home.lastActivityAt ? relativeTime(home.lastActivityAt, now) : t('watch.noActivity') })}
              </span>
              {home.devices.length > 0 && (
                <span class="watched-home-devices">
                  {home.devices.map((device) => (
                    <span key={device.id} class="device-state" data-online={device.online ? 'true' : 'false'}>
                      <span class={device.online ? 'status online' : 'status offline'} aria-hidden="true">
                        {device.online ? '●' : '○'}
                      </span>{' '}
                      {device.label}
                      {paren(joinParts([device.online ? t('devices.online') : t('devices.offline'), device.battery !== null && t('watch.battery', { percent: device.battery })]))}
                    </span>
                  ))}
                </span>
              )}
              {(home.away || alertKinds.length > 0) && (
                <span class="badges">
                  {home.away && <span class="chip chip-away" data-testid="away-badge">{t('watch.awayBadge')}</span>}
                  {alertKinds.map((kind) => (
                    <span key={kind} class={`chip chip-alert chip-alert-${kind}`} data-testid="alert-badge">
                      {t(`watch.kinds.${kind}`)}
                    </span>
                  ))}
                </span>
              )}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

/** /watch/alerts/:id (the link in a push notification): the alert on its own. */
export function WatchAlertPage({ id }: { id: string }) {
  useTitle(t('watch.alertTitle'));
  const session = useRequiredSession();
  const state = useAsync(async () => {
    const alert = await findAlert(id);
    return alert ?? null;
  }, [id]);
  const refetch = useDebounced(() => state.reload(), 300);
  useSocketEvent('watch:alert', (event) => {
    if (event.alertId === id) refetch();
  });
  useSocketReconnect(() => state.reload());
  return (
    <div class="stack">
      <p>
        <Link href="/watch">{t('watch.backToWatch')}</Link>
      </p>
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

/** /watch/access-log (officers): who looked at which home's watch data. */
export function WatchAccessLogPage() {
  useTitle(t('watch.accessLog.title'));
  const log = useAsync((signal) => api.watchAccessLog(signal), []);
  return (
    <div class="stack">
      <p>
        <Link href="/watch">{t('watch.backToWatch')}</Link>
      </p>
      <PageHeading>{t('watch.accessLog.title')}</PageHeading>
      <p class="lead">{t('watch.accessLog.intro')}</p>
      {log.error ? <ErrorAlert error={log.error} /> : null}
      {log.loading && !log.data && <Loading />}
      {log.data && log.data.items.length === 0 && <p class="muted">{t('watch.accessLog.empty')}</p>}
      {log.data && log.data.items.length > 0 && (
        <div class="table-wrap">
          <table class="stacked" data-testid="access-log">
            <thead>
              <tr>
                <th scope="col">{t('watch.accessLog.at')}</th>
                <th scope="col">{t('watch.accessLog.person')}</th>
                <th scope="col">{t('watch.accessLog.household')}</th>
                <th scope="col">{t('watch.accessLog.what')}</th>
              </tr>
            </thead>
            <tbody>
              {log.data.items.map((entry, index) => (
                <tr key={index} data-testid="access-log-row">
                  <td data-label={t('watch.accessLog.at')}>{formatDateTime(entry.at)}</td>
                  <td data-label={t('watch.accessLog.person')}>{entry.personName ?? t('watch.accessLog.unknownPerson')}</td>
                  <td data-label={t('watch.accessLog.household')}>{entry.householdName}</td>
                  <td data-label={t('watch.accessLog.what')}>{accessWhat(entry.what)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function accessWhat(what: string): string {
  const key = `watch.accessLog.whats.${what}`;
  const label = t(key);
  return label === key ? what : label;
}
