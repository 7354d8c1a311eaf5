import type { ComponentChildren, ComponentType } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useRef } from 'preact/hooks';
import { Loading } from '../ui/alerts.js';
import { matchPath, navigate, useLocation, type Location } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { LoginPage } from '../features/auth/pages/login.js';
import { JoinPage } from '../features/auth/pages/join.js';
import { PasswordPage } from '../features/auth/pages/password.js';
import { HomePage } from '../features/home/pages/home.js';
import { NotFoundPage, ForbiddenPage } from './not-found.js';

/**
 * Every page but the first ones a person sees (login, join, home) is its own chunk, loaded
 * when its route is first opened: the first load of a phone carries only the shell. A chunk
 * that fails to load after a deploy reloads the app (main.tsx, vite:preloadError).
 */
// `any`: each page has its own props; the lazy component keeps the page's own type (M[K]).
function page<K extends string, M extends Record<K, ComponentType<any>>>(load: () => Promise<M>, name: K) {
  return lazy(() => load().then((module) => ({ default: module[name] })));
}
const RosterPage = page(() => import('../features/roster/pages/roster.js'), 'RosterPage');
const HouseholdPage = page(() => import('../features/roster/pages/household.js'), 'HouseholdPage');
const ImportPage = page(() => import('../features/roster/pages/import.js'), 'ImportPage');
const PasscodesPage = page(() => import('../features/roster/pages/passcodes.js'), 'PasscodesPage');
const DevicesPage = page(() => import('../features/devices/pages/devices.js'), 'DevicesPage');
const CircularsPage = page(() => import('../features/circulars/pages/circulars.js'), 'CircularsPage');
const CircularPage = page(() => import('../features/circulars/pages/circular.js'), 'CircularPage');
const ComposePage = page(() => import('../features/circulars/pages/compose.js'), 'ComposePage');
const ProgressPage = page(() => import('../features/circulars/pages/progress.js'), 'ProgressPage');
const UnreadPage = page(() => import('../features/circulars/pages/unread.js'), 'UnreadPage');
const PrintPage = page(() => import('../features/circulars/pages/print.js'), 'PrintPage');
const TasksPage = page(() => import('../features/tasks/pages/tasks.js'), 'TasksPage');
const WatchAccessLogPage = page(() => import('../features/watch/pages/watch-access-log.js'), 'WatchAccessLogPage');
const WatchAlertPage = page(() => import('../features/watch/pages/watch-alert.js'), 'WatchAlertPage');
const WatchPage = page(() => import('../features/watch/pages/watch.js'), 'WatchPage');
const HouseholdWatchPage = page(() => import('../features/watch/pages/watch-household.js'), 'HouseholdWatchPage');
const DrillAnswerPage = page(() => import('../features/drills/pages/drill-answer.js'), 'DrillAnswerPage');
const DrillStartPage = page(() => import('../features/drills/pages/drill-start.js'), 'DrillStartPage');
const DrillsPage = page(() => import('../features/drills/pages/drills.js'), 'DrillsPage');
const DrillDashboardPage = page(() => import('../features/drills/pages/drill-dashboard.js'), 'DrillDashboardPage');
const DrillTasksPage = page(() => import('../features/drills/pages/drill-tasks.js'), 'DrillTasksPage');
const DrillReportPage = page(() => import('../features/drills/pages/drill-report.js'), 'DrillReportPage');
const LettersPage = page(() => import('../features/roster/pages/letters.js'), 'LettersPage');
const UnregisteredPage = page(() => import('../features/roster/pages/unregistered.js'), 'UnregisteredPage');
const HelpDeskPage = page(() => import('../features/roster/pages/help-desk.js'), 'HelpDeskPage');
const ReadinessPage = page(() => import('../features/readiness/pages/readiness.js'), 'ReadinessPage');
const QuakesPage = page(() => import('../features/quakes/pages/quakes.js'), 'QuakesPage');
const SheltersPage = page(() => import('../features/shelters/pages/shelters.js'), 'SheltersPage');
const ShelterImportPage = page(() => import('../features/shelters/pages/shelter-import.js'), 'ShelterImportPage');
const HelpPage = page(() => import('../features/directory/pages/help.js'), 'HelpPage');
const DirectoryPage = page(() => import('../features/directory/pages/directory.js'), 'DirectoryPage');
const DirectoryImportPage = page(() => import('../features/directory/pages/directory-import.js'), 'DirectoryImportPage');
const ReferralCountsPage = page(() => import('../features/directory/pages/referral-counts.js'), 'ReferralCountsPage');
const OrganisationPage = page(() => import('../features/directory/pages/organisation.js'), 'OrganisationPage');
const DirectoryReviewPage = page(() => import('../features/directory/pages/review.js'), 'DirectoryReviewPage');
const DirectoryHistoryPage = page(() => import('../features/directory/pages/history.js'), 'DirectoryHistoryPage');

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
  { pattern: '/letters', access: 'user', render: (_, location) => <LettersPage search={location.search} /> },
  { pattern: '/unregistered', access: 'user', render: (_, location) => <UnregisteredPage search={location.search} /> },
  { pattern: '/help-desk', access: 'officer', render: () => <HelpDeskPage /> },
  { pattern: '/readiness', access: 'user', render: () => <ReadinessPage /> },
  { pattern: '/quakes', access: 'officer', render: () => <QuakesPage /> },
  { pattern: '/shelters', access: 'user', render: () => <SheltersPage /> },
  { pattern: '/shelters/import', access: 'officer', render: () => <ShelterImportPage /> },
  { pattern: '/help', access: 'public', render: (_, location) => <HelpPage area={location.search.get('area') || undefined} worries={location.search.get('worries') || undefined} /> },
  { pattern: '/directory', access: 'officer', render: () => <DirectoryPage /> },
  { pattern: '/directory/import', access: 'officer', render: () => <DirectoryImportPage /> },
  { pattern: '/referrals', access: 'officer', render: () => <ReferralCountsPage /> },
  { pattern: '/directory/organisation', access: 'public', render: (_, location) => <OrganisationPage code={location.search.get('code') ?? ''} /> },
  { pattern: '/directory/review', access: 'officer', render: () => <DirectoryReviewPage /> },
  { pattern: '/directory/history', access: 'officer', render: () => <DirectoryHistoryPage /> },
];

export function Routes() {
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
    const main = document.querySelector('main');
    const focusHeading = () => {
      const heading = main?.querySelector<HTMLElement>('h1');
      heading?.focus({ preventScroll: true });
      return !!heading;
    };
    if (!main || focusHeading()) return;
    // A page opened for the first time is still loading its chunk: focus its heading once it shows.
    const observer = new MutationObserver(() => {
      if (focusHeading()) observer.disconnect();
    });
    observer.observe(main, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [location.path]);

  if (redirect) return <Loading />;
  if (!matched) return <NotFoundPage />;
  if (matched.route.access === 'officer' && !session?.roles.officer) return <ForbiddenPage />;
  return <Suspense fallback={<Loading />}>{matched.route.render(matched.params, location)}</Suspense>;
}

/** Only same-site paths are accepted as ?next= targets. */
function safeNext(next: string | null): string {
  if (next && next.startsWith('/') && !next.startsWith('//')) return next;
  return '/';
}
