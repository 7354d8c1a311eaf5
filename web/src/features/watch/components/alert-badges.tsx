import type { Alert } from '../../../../../server/src/contracts/watch.js';
import { formatShortDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { StateChip } from '../../../ui/state-chip.js';

export function TierBadge({ tier }: { tier: Alert['tier'] }) {
  return <StateChip class={`tier-badge tier-${tier}`} name="tier" value={tier} label={t(`watch.tiers.${tier}`)} />;
}

export function AlertStatusChip({ status }: { status: Alert['status'] }) {
  return <StateChip class={`status-chip alert-status-${status}`} value={status} label={t(`watch.statuses.${status}`)} />;
}

/** A label for an alert's timeline entry ("escalated" names the tier it reached). */
export function eventLabel(event: Alert['events'][number]): string {
  if (event.what === 'escalated' && event.tier) return t('watch.events.escalatedTo', { tier: t(`watch.tiers.${event.tier}`) });
  if (event.what === 'skipped' && event.tier) return t(`watch.events.skipped.${event.detail}`, { tier: t(`watch.tiers.${event.tier}`) });
  const key = `watch.events.${event.what}`;
  const label = t(key);
  return label === key ? event.what : label;
}

export function AlertTimeline({ events }: { events: Alert['events'] }) {
  if (events.length === 0) return <p class="muted">{t('watch.noEvents')}</p>;
  return (
    <ol class="timeline" data-testid="alert-timeline">
      {events.map((event, index) => (
        <li key={index} data-what={event.what}>
          <time dateTime={event.at} class="timeline-time">
            {formatShortDateTime(event.at)}
          </time>{' '}
          <span class="timeline-what">{eventLabel(event)}</span>
          {event.personName && <span class="timeline-person"> {t('watch.byPerson', { name: event.personName })}</span>}
        </li>
      ))}
    </ol>
  );
}
