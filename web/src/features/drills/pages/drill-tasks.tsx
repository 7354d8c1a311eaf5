import { api } from '../../../lib/api.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { KindBadge } from '../components/drill-badges.js';
import { t } from '../../../lib/i18n.js';
import { Link, useLocation } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useResource } from '../../../lib/use-resource.js';
import { BackLink } from '../../../ui/back-link.js';
import { VisitList } from '../components/visit-list.js';

/** /drills/:id/tasks: the households to visit, riskiest first (a phone page, one hand). */
export function DrillTasksPage({ id }: { id: string }) {
  const session = useRequiredSession();
  // ?household=… (from a card on /tasks): that household's card is shown first-hand; ?from=tasks: back goes there.
  const { search } = useLocation();
  const focus = search.get('household');
  const fromTasks = search.get('from') === 'tasks';
  useTitle(t('drills.tasks.title'));
  // The drill's title and state: from the list the caller can see (officers and 班長).
  const drills = useResource((signal) => api.drills(signal), {
    deps: [id],
    events: ['drill:ended'],
    filter: { 'drill:ended': (event) => event.drillId === id },
  });
  const drill = drills.data?.items.find((d) => d.id === id);
  const ended = drill ? drill.status === 'ended' : false;
  const canSeeDashboard = session.roles.officer || session.roles.captainOf.length > 0;

  return (
    <div class="stack drill-tasks-page">
      {fromTasks ? <BackLink href="/tasks">{t('drills.tasks.backToTasks')}</BackLink> : <BackLink href="/">{t('drills.backHome')}</BackLink>}
      <PageHeading>{t('drills.tasks.title')}</PageHeading>
      {drill && (
        <p class="drill-tasks-drill">
          <KindBadge kind={drill.kind} /> <strong>{drill.title}</strong>
        </p>
      )}
      <p class="hint">{t('drills.tasks.intro')}</p>
      {canSeeDashboard && (
        <p>
          <Link href={`/drills/${id}`}>{t('drills.tasks.toDashboard')}</Link>
        </p>
      )}
      {ended && (
        <p class="alert alert-warning" role="status">
          {t('drills.tasks.ended')}
        </p>
      )}
      <VisitList drillId={id} active={!ended} focus={focus} />
    </div>
  );
}
