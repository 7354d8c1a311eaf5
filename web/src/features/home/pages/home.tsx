import type { HouseholdDetail } from '../../../../../server/src/contracts/roster.js';
import type { SessionView } from '../../../../../server/src/contracts/auth.js';
import { api } from '../../../lib/api.js';
import { ChannelList } from '../../../ui/channels.js';
import { ResponderNotes } from '../../../ui/responder-notes.js';
import { LoadState } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { HouseholdView } from '../../roster/components/household-view.js';
import { HouseholdCirculars } from '../../circulars/components/household-circulars.js';
import { CaptainTasks } from '../../tasks/components/captain-tasks.js';
import { PushButton } from '../../push/components/push-button.js';
import { ActiveDrillsSection, EscalatedVisitsSection, MyDrillsSection } from '../../drills/components/drill-sections.js';
import { LiveAlertsSection } from '../../watch/components/live-alerts-section.js';
import { useResource } from '../../../lib/use-resource.js';
import { ROSTER_REFRESH, touchesHousehold } from '../../../lib/use-resource.js';
import { Ruby } from '../../../ui/ruby.js';

export function HomePage() {
  const session = useRequiredSession();
  const { roles } = session;
  useTitle(t('home.title'));
  const nothing =
    !roles.officer &&
    roles.captainOf.length === 0 &&
    !roles.volunteer &&
    !roles.welfareCommissioner &&
    roles.watcherOf.length === 0 &&
    !roles.household;

  return (
    <div class="stack">
      <PageHeading><Ruby k="home.greeting" values={{ name: session.person.name }} /></PageHeading>
      <p class="lead">{session.association.name}</p>
      <RoleSummary roles={roles} />
      {(roles.household || roles.captainOf.length > 0 || roles.volunteer || roles.welfareCommissioner || roles.officer || roles.watcherOf.length > 0) && <PushButton />}
      {roles.household && <MyDrillsSection />}
      {(roles.officer || roles.captainOf.length > 0) && <ActiveDrillsSection />}
      {(roles.officer || roles.volunteer || roles.welfareCommissioner) && <EscalatedVisitsSection />}
      {/* Family watching over a home see its alerts here once they reach the family step, as volunteers see theirs. */}
      {(roles.officer || roles.volunteer || roles.welfareCommissioner || roles.watcherOf.length > 0) && <LiveAlertsSection />}
      {roles.household && <HouseholdCirculars />}
      {roles.captainOf.length > 0 && <CaptainTasks />}
      {roles.officer && <OfficerMenu />}
      {roles.captainOf.map((block) => (
        <CaptainBlock key={block.id} block={block} />
      ))}
      {(roles.volunteer || roles.welfareCommissioner) && <WatcherRoles roles={roles} />}
      {roles.watcherOf.length > 0 && <FamilyWatcher households={roles.watcherOf} />}
      {roles.household && <MyHousehold id={roles.household.id} />}
      {nothing && <p class="card">{t('home.noRoles')}</p>}
    </div>
  );
}

function RoleSummary({ roles }: { roles: SessionView['roles'] }) {
  const names: string[] = [];
  if (roles.officer) names.push(t('roles.officer'));
  for (const block of roles.captainOf) names.push(t('roles.captainOf', { block: block.name }));
  if (roles.volunteer) names.push(t('roles.volunteer'));
  if (roles.welfareCommissioner) names.push(t('roles.welfareCommissioner'));
  if (names.length === 0) return null;
  return (
    <p data-testid="my-roles">
      {t('roles.yours')}{' '}
      {names.map((name) => (
        <span key={name} class="role-badge">
          {name}
        </span>
      ))}
    </p>
  );
}

function OfficerMenu() {
  const items = [
    { href: '/circulars', title: t('nav.circulars'), text: t('home.officer.circulars') },
    { href: '/drills', title: t('nav.drills'), text: t('home.officer.drills') },
    { href: '/watch', title: t('nav.watch'), text: t('home.officer.watch') },
    { href: '/roster', title: t('nav.roster'), text: t('home.officer.roster') },
    { href: '/roster/import', title: t('nav.import'), text: t('home.officer.import') },
    { href: '/roster/export', title: t('nav.export'), text: t('home.officer.export') },
    { href: '/passcodes', title: t('nav.passcodes'), text: t('home.officer.passcodes') },
    { href: '/devices', title: t('nav.devices'), text: t('home.officer.devices') },
    { href: '/tasks', title: t('nav.follow'), text: t('home.officer.follow') },
  ];
  return (
    <section class="section" aria-labelledby="officer-heading">
      <h2 id="officer-heading"><Ruby k="home.officer.heading" /></h2>
      <ul class="menu-grid">
        {items.map((item) => (
          <li key={item.href}>
            <Link href={item.href} class="menu-card">
              <strong>{item.title}</strong>
              <span>{item.text}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Loads household details a few at a time so a 班 list can show members' phone numbers. */
async function loadDetails(ids: string[], signal: AbortSignal): Promise<HouseholdDetail[]> {
  const results: HouseholdDetail[] = new Array(ids.length);
  let next = 0;
  async function worker() {
    while (next < ids.length) {
      const index = next++;
      results[index] = await api.household(ids[index]!, signal);
    }
  }
  await Promise.all(Array.from({ length: Math.min(6, ids.length) }, worker));
  return results;
}

function CaptainBlock({ block }: { block: { id: string; name: string } }) {
  const state = useResource(
    async (signal) => {
      const list = await api.households({ blockId: block.id, limit: 500 }, signal);
      return loadDetails(
        list.items.map((item) => item.id),
        signal,
      );
    },
    { deps: [block.id], ...ROSTER_REFRESH },
  );
  const headingId = `block-${block.id}`;

  return (
    <section class="section" aria-labelledby={headingId}>
      <h2 id={headingId}><Ruby k="home.captain.heading" values={{ block: block.name }} /></h2>
      <p class="hint">{t('home.captain.intro')}</p>
      <p>
        <Link href={`/unregistered?blockId=${block.id}`} class="button secondary small" data-testid="captain-unregistered">
          {t('home.captain.unregistered')}
        </Link>
      </p>
      <LoadState state={state} />
      {state.data && state.data.length === 0 && <p>{t('home.captain.empty')}</p>}
      {state.data && state.data.length > 0 && (
        <ul class="card-list">
          {state.data.map((household) => (
            <li key={household.id} class="card household-card" data-testid="household-row">
              <h3>
                <Link href={`/households/${household.id}`}>
                  {household.householdNumber} {household.name}
                </Link>
              </h3>
              <p>{household.address}</p>
              <p>
                <ChannelList channels={household.channels} />
              </p>
              <ResponderNotes notes={household.responderNotes} />
              <ul class="plain">
                {household.members.map((member) => (
                  <li key={member.id}>
                    {member.name}
                    {member.phone && (
                      <>
                        {' '}
                        <a href={`tel:${member.phone}`} class="tel">
                          {member.phone}
                        </a>
                      </>
                    )}
                  </li>
                ))}
              </ul>
              <button type="button" class="secondary small" onClick={() => navigate(`/households/${household.id}`)}>
                {t('home.captain.details')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function WatcherRoles({ roles }: { roles: SessionView['roles'] }) {
  return (
    <section class="section" aria-labelledby="watch-heading">
      <h2 id="watch-heading"><Ruby k="home.watch.heading" /></h2>
      <ul class="plain">
        {roles.volunteer && <li class="role-badge">{t('roles.volunteer')}</li>}
        {roles.welfareCommissioner && <li class="role-badge">{t('roles.welfareCommissioner')}</li>}
      </ul>
      <p class="card subtle">{t('home.watch.explanation')}</p>
      <p>
        <Link href="/watch" class="button primary">
          {t('home.watch.open')}
        </Link>
      </p>
    </section>
  );
}

function FamilyWatcher({ households }: { households: { id: string; name: string }[] }) {
  return (
    <section class="section" aria-labelledby="family-heading">
      <h2 id="family-heading"><Ruby k="home.family.heading" /></h2>
      <p class="hint">{t('home.family.explanation')}</p>
      <ul class="card-list">
        {households.map((household) => (
          <li key={household.id} class="card" data-testid="household-row">
            <p>
              <Link href={`/households/${household.id}`}>{household.name}</Link>
            </p>
            <Link href={`/watch/households/${household.id}`} class="button secondary small">
              {t('home.family.watch')}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

function MyHousehold({ id }: { id: string }) {
  const state = useResource((signal) => api.household(id, signal), { deps: [id], ...ROSTER_REFRESH, filter: { 'roster:changed': touchesHousehold(id) } });
  return (
    <section class="section" aria-labelledby="my-household-heading">
      <h2 id="my-household-heading"><Ruby k="home.household.heading" /></h2>
      <LoadState state={state} />
      {state.data && <HouseholdView household={state.data} headingLevel={3} />}
    </section>
  );
}
