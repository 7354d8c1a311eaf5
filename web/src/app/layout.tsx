import type { ComponentChildren } from 'preact';
import type { SessionView } from '../../../server/src/contracts/auth.js';
import { ToastHost, showToast } from '../ui/toasts.js';
import { t } from '../lib/i18n.js';
import { Link } from '../lib/router.js';
import { isCaptain, useSession } from '../lib/session.js';
import { useSocketEvent } from '../lib/socket.js';
import { useReconnecting } from '../lib/connection.js';
import { DrillPromptHost } from '../features/drills/components/drill-prompt.js';
import { MainNav, LanguageSwitch } from './navigation.js';
import { QuakeBanners } from '../features/quakes/components/quake-banners.js';

/** While the server cannot be reached (or its database is away): answers sent meanwhile are retried. */
function ReconnectingBanner() {
  const reconnecting = useReconnecting();
  // The live region is always there, so screen readers announce when the text appears.
  return (
    <div class="reconnecting-region no-print" role="status" aria-live="polite">
      {reconnecting && (
        <p class="reconnecting-banner" data-testid="reconnecting">
          {t('connection.reconnecting')}
        </p>
      )}
    </div>
  );
}

export function Layout({ children }: { children: ComponentChildren }) {
  const { session, logout } = useSession();
  return (
    <>
      <a class="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header class="site-header no-print">
        <div class="header-inner">
          <Link href="/" class="brand">
            <img src="/icon.svg" alt="" width={36} height={36} />
            <span>{t('app.name')}</span>
          </Link>
          {session && <span class="association">{session.association.name}</span>}
          <div class="header-tools">
            <LanguageSwitch />
            {session && (
              <>
                <span class="current-user" data-testid="current-user">
                  {session.person.name}
                </span>
                <Link href="/password" class="button secondary">
                  {t('nav.password')}
                </Link>
                <button type="button" class="secondary" onClick={() => void logout()}>
                  {t('nav.logout')}
                </button>
              </>
            )}
          </div>
        </div>
        {session && <MainNav session={session} />}
      </header>
      <ReconnectingBanner />
      {session?.roles.household && <DrillPromptHost key={session.roles.household.id} />}
      {session?.roles.officer && <QuakeBanners key={session.person.id} />}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer class="site-footer no-print">
        <p>{t('app.footer')}</p>
      </footer>
      {session && <CircularToasts session={session} />}
      <ToastHost
        renderLink={(link, onClick) => (
          <Link href={link.href} class="button primary small" onClick={onClick}>
            {link.label}
          </Link>
        )}
      />
    </>
  );
}

/** A toast when a new circular reaches this person's household (the lists refetch by themselves). */
function CircularToasts({ session }: { session: SessionView }) {
  useSocketEvent('circular:published', (event) => {
    if (!session.roles.household && !isCaptain(session.roles)) return;
    showToast(t('circulars.toast.new', { title: event.title }), { href: `/circulars/${event.circularId}`, label: t('circulars.toast.open') });
  });
  // A watch alert reached me (new or passed on to my tier): say so wherever I am.
  useSocketEvent('watch:alert', (event) => {
    if (event.status !== 'open' || event.householdId === session.roles.household?.id) return;
    if (window.location.pathname === '/watch') return;
    showToast(t('watch.toast', { kind: t(`watch.kinds.${event.kind}`) }), { href: `/watch/alerts/${event.alertId}`, label: t('watch.toastOpen') });
  });
  // 班長: a safety confirmation started in my 班 (households get the full-screen question instead).
  useSocketEvent('drill:started', (event) => {
    if (!isCaptain(session.roles) || session.roles.household) return;
    showToast(t('drills.toast', { title: event.title }), { href: `/drills/${event.drillId}/tasks`, label: t('drills.home.tasks') });
  });
  return null;
}
