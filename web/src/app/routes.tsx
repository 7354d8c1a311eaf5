import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { Loading } from '../ui/alerts.js';
import { matchPath, navigate, useLocation, type Location } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { LoginPage } from '../features/auth/pages/login.js';
import { JoinPage } from '../features/auth/pages/join.js';
import { PasswordPage } from '../features/auth/pages/password.js';
import { ResetPage } from '../features/auth/pages/reset.js';
import { HomePage } from '../features/home/pages/home.js';
import { NotFoundPage, ForbiddenPage } from './not-found.js';
import { RosterPage } from '../features/roster/pages/roster.js';
import { HouseholdPage } from '../features/roster/pages/household.js';
import { ImportPage } from '../features/roster/pages/import.js';
import { PasscodesPage } from '../features/roster/pages/passcodes.js';
import { DevicesPage } from '../features/devices/pages/devices.js';
import { CircularsPage } from '../features/circulars/pages/circulars.js';
import { CircularPage } from '../features/circulars/pages/circular.js';
import { ComposePage } from '../features/circulars/pages/compose.js';
import { ProgressPage } from '../features/circulars/pages/progress.js';
import { UnreadPage } from '../features/circulars/pages/unread.js';
import { PrintPage } from '../features/circulars/pages/print.js';
import { TasksPage } from '../features/tasks/pages/tasks.js';
import { WatchAccessLogPage } from '../features/watch/pages/watch-access-log.js';
import { WatchAlertPage } from '../features/watch/pages/watch-alert.js';
import { WatchPage } from '../features/watch/pages/watch.js';
import { HouseholdWatchPage } from '../features/watch/pages/watch-household.js';
import { DrillAnswerPage } from '../features/drills/pages/drill-answer.js';
import { DrillStartPage } from '../features/drills/pages/drill-start.js';
import { DrillsPage } from '../features/drills/pages/drills.js';
import { DrillDashboardPage } from '../features/drills/pages/drill-dashboard.js';
import { DrillTasksPage } from '../features/drills/pages/drill-tasks.js';
import { DrillReportPage } from '../features/drills/pages/drill-report.js';
import { LettersPage } from '../features/roster/pages/letters.js';
import { UnregisteredPage } from '../features/roster/pages/unregistered.js';
import { HelpDeskPage } from '../features/roster/pages/help-desk.js';
import { ReadinessPage } from '../features/readiness/pages/readiness.js';
import { QuakesPage } from '../features/quakes/pages/quakes.js';
import { SheltersPage } from '../features/shelters/pages/shelters.js';
import { ShelterImportPage } from '../features/shelters/pages/shelter-import.js';
import { HelpPage } from '../features/directory/pages/help.js';
import { DirectoryPage } from '../features/directory/pages/directory.js';
import { DirectoryImportPage } from '../features/directory/pages/directory-import.js';
import { ReferralCountsPage } from '../features/directory/pages/referral-counts.js';
import { OrganisationPage } from '../features/directory/pages/organisation.js';
import { DirectoryReviewPage } from '../features/directory/pages/review.js';
import { DirectoryHistoryPage } from '../features/directory/pages/history.js';

type Access = 'public' | 'guest' | 'user' | 'officer';

interface Route {
  pattern: string;
  access: Access;
  render: (params: Record<string, string>, location: Location) => ComponentChildren;
}

const ROUTES: Route[] = [
  { pattern: '/login', access: 'guest', render: () => <LoginPage /> },
  { pattern: '/join', access: 'public', render: (_, location) => <JoinPage initialCode={location.search.get('code') ?? ''} /> },
  { pattern: '/reset', access: 'public', render: (_, location) => <ResetPage initialCode={location.search.get('code') ?? ''} /> },
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
    // A page still loading its data shows its heading later: focus it once it shows.
    const observer = new MutationObserver(() => {
      if (focusHeading()) observer.disconnect();
    });
    observer.observe(main, { childList: true, subtree: true });
    return () => observer.disconnect();
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
