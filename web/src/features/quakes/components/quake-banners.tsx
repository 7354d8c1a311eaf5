import { useEffect, useState } from 'preact/hooks';
import type { QuakeNotice } from '../../../../../server/src/contracts/socket.js';
import { api, ApiError } from '../../../lib/api.js';
import { formatTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { useSocketEvent, useSocketReconnect } from '../../../lib/socket.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { intensityText } from './trigger-form.js';

/**
 * The JMA trigger's notices to officers (quake:notice), as banners at the top of every page:
 * the intensity and areas, what the trigger did, the event's dashboard and an end action.
 * One banner per key (trigger or telegram): a repeat changes nothing, a later kind (started
 * after pending) or a new intensity (a later report raised it) replaces it; a dismissed one
 * stays dismissed for the session. The notices that still matter are loaded from the server on
 * start (and on reconnect), for an officer whose app was closed when they went out.
 */
const DISMISSED = 'tonari.quakeNotices.dismissed';
const idOf = (n: QuakeNotice) => `${n.key}|${n.kind}|${n.intensity ?? ''}${n.unreceived ? '|unreceived' : ''}`;
function dismissed(): string[] {
  try {
    return JSON.parse(sessionStorage.getItem(DISMISSED) ?? '[]') as string[];
  } catch {
    return [];
  }
}
function dismiss(n: QuakeNotice) {
  sessionStorage.setItem(DISMISSED, JSON.stringify([...dismissed(), idOf(n)].slice(-50)));
}

/** The notices shown: the newest first, one per key. */
export function mergeNotice(list: QuakeNotice[], n: QuakeNotice): QuakeNotice[] {
  if (dismissed().includes(idOf(n))) return list;
  const same = list.find((x) => x.key === n.key);
  if (same && idOf(same) === idOf(n) && same.fireAt === n.fireAt) return list;
  return [n, ...list.filter((x) => x.key !== n.key)];
}

/** The stored notices (newest first) under the shown ones: a key shown already (heard live, newer) is kept as it is. */
export function mergeStored(list: QuakeNotice[], stored: QuakeNotice[]): QuakeNotice[] {
  const shown = new Set(list.map((x) => x.key));
  return [...list, ...stored.filter((n) => !shown.has(n.key) && !dismissed().includes(idOf(n)))];
}

function textOf(n: QuakeNotice): string {
  // 震度５弱以上未入電 counted as 5弱: 「震度5弱以上（未入電）」, never a plain 5弱 (the flag may be absent: a plain reading).
  const intensity = !n.intensity ? t('quakes.banner.unknownIntensity') : n.unreceived ? t('quakes.banner.unreceivedIntensity', { intensity: intensityText(n.intensity) }) : intensityText(n.intensity);
  const values = { intensity, areas: n.areaNames.join('・'), at: formatTime(n.fireAt) };
  if (n.kind === 'started') return t(n.eventKind === 'drill' ? 'quakes.banner.startedDrill' : 'quakes.banner.started', values);
  if (n.kind === 'pending' && n.eventKind === 'drill') return t('quakes.banner.pendingDrill', values);
  if (n.kind === 'aftershock') return t(n.asked ? 'quakes.banner.aftershockAsked' : 'quakes.banner.aftershock', values);
  return t(`quakes.banner.${n.kind}`, values);
}

export function QuakeBanners() {
  const [notices, setNotices] = useState<QuakeNotice[]>([]);
  const [ending, setEnding] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useSocketEvent('quake:notice', (n) => setNotices((list) => mergeNotice(list, n)));
  const load = () =>
    api.quakeNotices().then(
      ({ items }) => setNotices((list) => mergeStored(list, items)),
      () => undefined, // Live notices still come; the next reconnect loads again.
    );
  useEffect(() => void load(), []);
  useSocketReconnect(() => void load());
  const close = (n: QuakeNotice) => {
    dismiss(n);
    setNotices((list) => list.filter((x) => x.key !== n.key));
  };

  async function end(n: QuakeNotice) {
    if (!n.drillId || !window.confirm(t('quakes.banner.confirmEnd'))) return;
    setEnding(n.key);
    setError(null);
    try {
      await api.endDrill(n.drillId);
    } catch (err) {
      // Ended already (by another officer): its report is ready all the same.
      if (!(err instanceof ApiError && err.status === 409)) {
        setError(err);
        setEnding(null);
        return;
      }
    }
    setEnding(null);
    close(n);
    navigate(`/drills/${n.drillId}/report`);
  }

  if (!notices.length) return null;
  return (
    <div class="quake-banners no-print" data-testid="quake-banners">
      {notices.map((n) => (
        <div key={n.key} class={`row quake-banner quake-banner-${n.kind}`} role="alert" data-testid="quake-banner" data-kind={n.kind}>
          <p class="quake-banner-text">{textOf(n)}</p>
          <p class="quake-banner-actions">
            {n.drillId && (
              <Link href={`/drills/${n.drillId}`} class="button primary small">
                {t('quakes.banner.open')}
              </Link>
            )}
            {n.drillId && n.kind !== 'pending' && n.kind !== 'cancelled' && (
              <button type="button" class="secondary small" disabled={ending === n.key} onClick={() => void end(n)}>
                {t('quakes.banner.end')}
              </button>
            )}
            {n.kind === 'unreceived' && (
              <Link href="/drills/new" class="button primary small">
                {t('quakes.banner.startManually')}
              </Link>
            )}
            <button type="button" class="secondary small" aria-label={t('quakes.banner.closeLabel', { text: textOf(n) })} onClick={() => close(n)}>
              {t('quakes.banner.close')}
            </button>
          </p>
        </div>
      ))}
      <ErrorAlert error={error} />
    </div>
  );
}
