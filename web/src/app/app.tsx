import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionView } from '../../../server/src/contracts/http.js';
import { api, ApiError, setCsrfToken, setUnauthorizedHandler, type Language } from '../api.js';
import { ErrorAlert, Loading } from '../ui/alerts.js';
import { ToastHost, showToast } from '../ui/toasts.js';
import { applyLanguage, currentLanguage, onLanguageChanged, t } from '../lib/i18n.js';
import { Link, matchPath, navigate, useLocation, type Location } from '../lib/router.js';
import { SessionContext, isCaptain, useSession, type SessionContextValue } from '../lib/session.js';
import { connectSocket, disconnectSocket, useSocketEvent } from '../lib/socket.js';
import { useReconnecting } from '../lib/connection.js';
import { LoginPage } from '../features/auth/pages/login.js';
import { JoinPage } from '../features/auth/pages/join.js';
import { PasswordPage } from '../features/auth/pages/password.js';
import { HomePage } from '../features/home/pages/home.js';
import { RosterPage } from '../features/roster/pages/roster.js';
import { HouseholdPage } from '../features/roster/pages/household.js';
import { ImportPage } from '../features/roster/pages/import.js';
import { PasscodesPage } from '../features/roster/pages/passcodes.js';
import { DevicesPage } from '../features/devices/pages/devices.js';
import { NotFoundPage, ForbiddenPage } from './not-found.js';
import { CircularsPage } from '../features/circulars/pages/circulars.js';
import { CircularPage } from '../features/circulars/pages/circular.js';
import { ComposePage } from '../features/circulars/pages/compose.js';
import { ProgressPage } from '../features/circulars/pages/progress.js';
import { UnreadPage } from '../features/circulars/pages/unread.js';
import { PrintPage } from '../features/circulars/pages/print.js';
import { TasksPage } from '../features/tasks/pages/tasks.js';
import { WatchAccessLogPage, WatchAlertPage, WatchPage } from '../features/watch/pages/watch.js';
import { HouseholdWatchPage } from '../features/watch/pages/watch-household.js';
import { DrillAnswerPage, DrillStartPage, DrillsPage } from '../features/drills/pages/drills.js';
import { DrillDashboardPage } from '../features/drills/pages/drill-dashboard.js';
import { DrillTasksPage } from '../features/drills/pages/drill-tasks.js';
import { DrillReportPage } from '../features/drills/pages/drill-report.js';
import { DrillPromptHost } from '../features/drills/components/answer-panel.js';

type Access = 'public' | 'guest' | 'user' | 'officer';

interface Route {
  pattern: string;
  access: Access;
  render: (params: Record<string, string>, location: Location) => ComponentChildren;
}

const ROUTES: Route[] = [
  { pattern: '/login', access: 'guest', render: () => <LoginPage /> },
  { pattern: '/join', access: 'public', render: (_, location) => <JoinPage initialCode={location.search.get('code') ?? ''} /> },
  { pattern: '/password', access: 'user', render: () => <PasswordPage /> },
  { pattern: '/', access: 'user', render: () => <HomePage /> },
  { pattern: '/roster', access: 'officer', render: () => <RosterPage /> },
  { pattern: '/roster/import', access: 'officer', render: () => <ImportPage /> },
  { pattern: '/roster/export', access: 'officer', render: () => <RosterPage focus="export" /> },
  { pattern: '/households/:id', access: 'user', render: (params) => <HouseholdPage id={params.id ?? ''} /> },
  { pattern: '/passcodes', access: 'officer', render: (_, location) => <PasscodesPage search={location.search} /> },
  { pattern: '/devices', access: 'officer', render: () => <DevicesPage /> },
  { pattern: '/circulars', access: 'officer', render: () => <CircularsPage /> },
  { pattern: '/circulars/new', access: 'officer', render: () => <ComposePage /> },
  { pattern: '/circulars/:id', access: 'user', render: (params) => <CircularPage id={params.id ?? ''} /> },
  { pattern: '/circulars/:id/edit', access: 'officer', render: (params) => <ComposePage id={params.id ?? ''} /> },
  { pattern: '/circulars/:id/progress', access: 'user', render: (params) => <ProgressPage id={params.id ?? ''} /> },
  {
    pattern: '/circulars/:id/unread',
    access: 'user',
    render: (params, location) => <UnreadPage id={params.id ?? ''} blockId={location.search.get('blockId') || undefined} />,
  },
  {
    pattern: '/circulars/:id/print',
    access: 'user',
    render: (params, location) => <PrintPage id={params.id ?? ''} blockId={location.search.get('blockId') || undefined} />,
  },
  { pattern: '/tasks', access: 'user', render: () => <TasksPage /> },
  { pattern: '/watch', access: 'user', render: () => <WatchPage /> },
  { pattern: '/watch/access-log', access: 'officer', render: () => <WatchAccessLogPage /> },
  { pattern: '/watch/alerts/:id', access: 'user', render: (params) => <WatchAlertPage id={params.id ?? ''} /> },
  { pattern: '/watch/households/:id', access: 'user', render: (params) => <HouseholdWatchPage id={params.id ?? ''} /> },
  { pattern: '/drills', access: 'user', render: () => <DrillsPage /> },
  { pattern: '/drills/new', access: 'officer', render: () => <DrillStartPage /> },
  { pattern: '/drills/:id', access: 'user', render: (params) => <DrillDashboardPage id={params.id ?? ''} /> },
  { pattern: '/drills/:id/answer', access: 'user', render: (params) => <DrillAnswerPage id={params.id ?? ''} /> },
  { pattern: '/drills/:id/tasks', access: 'user', render: (params) => <DrillTasksPage id={params.id ?? ''} /> },
  { pattern: '/drills/:id/report', access: 'user', render: (params) => <DrillReportPage id={params.id ?? ''} /> },
];

export function App() {
  const [session, setSessionState] = useState<SessionView | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [language, setLanguage] = useState<Language>(currentLanguage());
  const sessionRef = useRef(session);
  sessionRef.current = session;

  useEffect(() => onLanguageChanged(setLanguage), []);

  const setSession = useCallback((next: SessionView | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setSessionState(next);
    if (next) {
      applyLanguage(next.person.preferredLanguage);
      // Reconnect so the socket authenticates with the (possibly new) session cookie.
      disconnectSocket();
      connectSocket();
    } else {
      disconnectSocket();
    }
  }, []);

  const loadSession = useCallback(() => {
    setLoadError(undefined);
    api
      .session()
      .then((value) => setSession(value))
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) setSession(null);
        else setLoadError(error);
      });
  }, [setSession]);

  useEffect(loadSession, [loadSession]);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // The session may already be gone; log out locally either way.
    }
    setSession(null);
    navigate('/login');
  }, [setSession]);

  const switchLanguage = useCallback(
    (next: Language) => {
      applyLanguage(next);
      if (sessionRef.current) {
        api
          .updateMe(next)
          .then((updated) => {
            setCsrfToken(updated.csrfToken);
            setSessionState(updated);
          })
          .catch((error: unknown) => console.warn('could not save the language', error));
      }
    },
    [],
  );

  useSocketEvent('session:ended', () => {
    setSession(null);
    navigate('/login');
  });

  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (!sessionRef.current) return;
      setSession(null);
      const here = window.location.pathname + window.location.search;
      navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
    });
    return () => setUnauthorizedHandler(null);
  }, [setSession]);

  const context = useMemo<SessionContextValue>(
    () => ({ session: session ?? null, language, setSession, logout, switchLanguage }),
    [session, language, setSession, logout, switchLanguage],
  );

  return (
    <SessionContext.Provider value={context}>
      <Layout>
        {loadError ? (
          <div class="stack">
            <ErrorAlert error={loadError} />
            <button type="button" onClick={loadSession}>
              {t('common.retry')}
            </button>
          </div>
        ) : session === undefined ? (
          <Loading />
        ) : (
          <Routes />
        )}
      </Layout>
    </SessionContext.Provider>
  );
}

function Routes() {
  const location = useLocation();
  const { session } = useSession();
  let matched: { route: Route; params: Record<string, string> } | null = null;
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, location.path);
    if (params) {
      matched = { route, params };
      break;
    }
  }

  const redirect =
    matched?.route.access === 'guest' && session
      ? safeNext(location.search.get('next'))
      : (matched?.route.access === 'user' || matched?.route.access === 'officer') && !session
        ? `/login?next=${encodeURIComponent(location.href)}`
        : null;

  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);

  // Move focus to the new page's heading so screen readers announce the navigation.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>('main h1');
    heading?.focus({ preventScroll: true });
  }, [location.path]);

  if (redirect) return <Loading />;
  if (!matched) return <NotFoundPage />;
  if (matched.route.access === 'officer' && !session?.roles.officer) return <ForbiddenPage />;
  return <>{matched.route.render(matched.params, location)}</>;
}

/** Only same-site paths are accepted as ?next= targets. */
function safeNext(next: string | null): string {
  if (next && next.startsWith('/') && !next.startsWith('//')) return next;
  return '/';
}

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

function Layout({ children }: { children: ComponentChildren }) {
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

/** Whether this person has anything to watch: a role, a family member, or a device at home. */
function useWatchLink(session: SessionView): string | null {
  const { roles } = session;
  const byRole = roles.officer || isCaptain(roles) || roles.volunteer || roles.welfareCommissioner || roles.watcherOf.length > 0;
  const householdId = !byRole ? roles.household?.id : undefined;
  const [hasDevice, setHasDevice] = useState(false);
  useEffect(() => {
    setHasDevice(false);
    if (!householdId) return;
    const controller = new AbortController();
    api
      .household(householdId, controller.signal)
      .then((household) => setHasDevice(household.devices.length > 0))
      .catch(() => undefined);
    return () => controller.abort();
  }, [householdId]);
  if (byRole) return '/watch';
  // A household member only watches their own home: straight to its page.
  return hasDevice && householdId ? `/watch/households/${householdId}` : null;
}

function MainNav({ session }: { session: SessionView }) {
  const { path } = useLocation();
  const watchLink = useWatchLink(session);
  const links: { href: string; label: string }[] = [{ href: '/', label: t('nav.home') }];
  if (session.roles.household) {
    links.push({ href: `/households/${session.roles.household.id}`, label: t('nav.myHousehold') });
  }
  if (isCaptain(session.roles)) {
    links.push({ href: '/tasks', label: t('nav.tasks') });
  }
  if (watchLink) {
    links.push({ href: watchLink, label: t('nav.watch') });
  }
  if (session.roles.officer || isCaptain(session.roles)) {
    links.push({ href: '/drills', label: t('nav.drills') });
  }
  if (session.roles.officer) {
    links.push(
      { href: '/circulars', label: t('nav.circulars') },
      { href: '/roster', label: t('nav.roster') },
      { href: '/roster/import', label: t('nav.import') },
      { href: '/passcodes', label: t('nav.passcodes') },
      { href: '/devices', label: t('nav.devices') },
    );
  }
  const current = (href: string) =>
    path === href || ((href === '/circulars' || href === '/watch' || href === '/drills') && path.startsWith(`${href}/`));
  return (
    <nav class="main-nav" aria-label={t('nav.label')}>
      <ul>
        {links.map((link) => (
          <li key={link.href}>
            <Link href={link.href} aria-current={current(link.href) ? 'page' : undefined}>
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function LanguageSwitch() {
  const { language, switchLanguage } = useSession();
  const options: Language[] = ['ja', 'en'];
  const active: Language = language === 'en' ? 'en' : 'ja';
  return (
    <div class="language-switch" role="group" aria-label={t('languages.switch')}>
      {options.map((option) => (
        <button
          key={option}
          type="button"
          class={option === active ? 'lang active' : 'lang'}
          lang={option}
          aria-pressed={option === active}
          onClick={() => {
            if (option !== active) switchLanguage(option);
          }}
        >
          {t(`languages.${option}`)}
        </button>
      ))}
    </div>
  );
}
