import type { WatchedHousehold } from '../../../../../server/src/contracts/watch.js';
import { joinParts, paren, relativeTime } from '../../../lib/format.js';
import { useNow } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';

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
