import { useEffect, useState } from 'preact/hooks';
import { api } from '../../../lib/api.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { t } from '../../../lib/i18n.js';
import { useRequiredSession } from '../../../lib/session.js';
import type { SessionView } from '../../../../../server/src/contracts/auth.js';

/** Web Push: the VAPID public key (base64url) → the bytes PushManager.subscribe wants. */
export function urlBase64ToUint8Array(base64String: string): Uint8Array<ArrayBuffer> {
  const padding = '='.repeat((4 - (base64String.length % 4)) % 4);
  const base64 = (base64String + padding).replace(/-/g, '+').replace(/_/g, '/');
  const raw = window.atob(base64);
  const output = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) output[i] = raw.charCodeAt(i);
  return output;
}

function pushSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window && 'PushManager' in window && 'serviceWorker' in navigator;
}

async function registration(): Promise<ServiceWorkerRegistration> {
  const existing = await navigator.serviceWorker.getRegistration('/');
  if (existing) return existing;
  await navigator.serviceWorker.register('/sw.js');
  return navigator.serviceWorker.ready;
}

type PushState = 'unsupported' | 'checking' | 'available' | 'subscribed' | 'denied';

/**
 * What notifications bring this person: responders (班長, volunteers, 民生委員, officers) and
 * family mostly need them for watch alerts and visits, households for circulars.
 */
function introKey(roles: SessionView['roles']): string {
  if (roles.officer || roles.captainOf.length > 0 || roles.volunteer || roles.welfareCommissioner) return 'push.introResponder';
  if (roles.watcherOf.length > 0) return 'push.introFamily';
  return 'push.intro';
}

/**
 * "通知を受け取る": shown where push works and this browser isn't subscribed. Where notifications
 * are blocked it says so and how to allow them again (a refused prompt never asks twice).
 */
export function PushButton() {
  const { roles } = useRequiredSession();
  const [justRefused, setJustRefused] = useState(false);
  const [state, setState] = useState<PushState>(() => (pushSupported() ? 'checking' : 'unsupported'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (!pushSupported()) return;
    if (Notification.permission === 'denied') {
      setState('denied');
      return;
    }
    let cancelled = false;
    navigator.serviceWorker
      .getRegistration('/')
      .then((reg) => (reg ? reg.pushManager.getSubscription() : null))
      .then((subscription) => {
        if (!cancelled) setState(subscription && Notification.permission === 'granted' ? 'subscribed' : 'available');
      })
      .catch(() => {
        if (!cancelled) setState('available');
      });
    return () => {
      cancelled = true;
    };
  }, []);

  async function subscribe() {
    setBusy(true);
    setError(null);
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        setState(permission === 'denied' ? 'denied' : 'available');
        if (permission === 'denied') setJustRefused(true);
        else setError(t('push.notGranted'));
        return;
      }
      const reg = await registration();
      const { publicKey } = await api.pushPublicKey();
      const subscription =
        (await reg.pushManager.getSubscription()) ??
        (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(publicKey) }));
      const json = subscription.toJSON();
      if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) throw new Error('incomplete subscription');
      await api.pushSubscribe({ endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } });
      setState('subscribed');
      setDone(true);
    } catch (err) {
      console.warn('push subscription failed', err);
      setError(err instanceof Error && err.name !== 'ApiError' ? t('push.failed') : err);
    } finally {
      setBusy(false);
    }
  }

  if (done) return <Notice testid="push-done">{t('push.done')}</Notice>;
  if (state === 'denied') return <PushBlocked open={justRefused} />;
  if (state !== 'available') return null;
  return (
    <div class="push-offer card" data-testid="push-offer">
      <p>{t(introKey(roles))}</p>
      <button type="button" class="secondary" disabled={busy} onClick={() => void subscribe()} data-testid="push-subscribe">
        {t('push.subscribe')}
      </button>
      {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
    </div>
  );
}

/** Notifications are blocked for this site: only the browser's site settings can allow them again. */
function PushBlocked({ open }: { open: boolean }) {
  return (
    <details class="push-offer push-blocked card" data-testid="push-blocked" open={open}>
      <summary>{t('push.blocked')}</summary>
      <p>{t('push.blockedHow')}</p>
    </details>
  );
}
