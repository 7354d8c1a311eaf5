import { api } from '../../../lib/api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { formatShortDateTime, formatTime, joinParts, paren } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useAnswered } from './answer-panel.js';
import { KindBadge, SafetyChip } from './drill-badges.js';
import { useResource } from '../../../lib/use-resource.js';
import { DRILL_LIST_REFRESH, withMyDrill } from './drill-list-refresh.js';
import { Ruby } from '../../../ui/ruby.js';
import { VisitList } from './visit-list.js';

// ── Home page sections ─────────────────────────────────────────────────────────────────

/** A household's active confirmations and its answers, on the home page. */
export function MyDrillsSection() {
  const mine = useResource((signal) => api.myDrills(signal), DRILL_LIST_REFRESH);
  useAnswered((next) => mine.setData(withMyDrill(next)));
  const items = mine.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section class="section" aria-labelledby="my-drills-heading" data-testid="my-drills">
      <h2 id="my-drills-heading"><Ruby k="drills.home.householdHeading" /></h2>
      <ul class="plain card-stack">
        {items.map((item) => (
          <li key={item.drill.id} class={`card my-drill kind-${item.drill.kind}`}>
            <p>
              <KindBadge kind={item.drill.kind} /> <strong>{item.drill.title}</strong>
            </p>
            {item.answer ? (
              <p>
                {t('drills.prompt.answered', { time: formatTime(item.answer.at) })} <SafetyChip status={item.answer.status} />{' '}
                {t(`drills.where.${item.answer.where}`)}
              </p>
            ) : (
              <p class="not-answered">{t('drills.home.notAnswered')}</p>
            )}
            <Link href={`/drills/${item.drill.id}/answer`} class={item.answer ? 'button secondary' : 'button primary'}>
              {item.answer ? t('drills.prompt.change') : t('drills.home.answer')}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** For 班長 and officers: active confirmations with links to the visit list and the dashboard. */
export function ActiveDrillsSection() {
  const session = useRequiredSession();
  const list = useResource((signal) => api.drills(signal), DRILL_LIST_REFRESH);
  const active = (list.data?.items ?? []).filter((d) => d.status === 'active');
  if (list.error) return <ErrorAlert error={list.error} />;
  if (!list.data) return session.roles.officer ? <Loading /> : null;
  if (active.length === 0 && !session.roles.officer) return null;
  return (
    <section class="section" aria-labelledby="active-drills-heading" data-testid="active-drills">
      <h2 id="active-drills-heading"><Ruby k="drills.home.activeHeading" /></h2>
      {active.length === 0 && <p class="muted">{t('drills.home.noneActive')}</p>}
      <ul class="plain card-stack">
        {active.map((drill) => (
          <li key={drill.id} class={`card active-drill kind-${drill.kind}`} data-testid="active-drill">
            <p>
              <KindBadge kind={drill.kind} /> <strong class="active-drill-title">{drill.title}</strong>
            </p>
            <p>
              {t('drills.accountedOf', { accounted: drill.accounted, total: drill.total })}{' '}
              <span class="muted">
                {paren(joinParts([t('drills.startedAt', { date: formatShortDateTime(drill.startedAt) }), t('drills.deadlineAt', { date: formatTime(drill.deadlineAt) })]))}
              </span>
            </p>
            <p class="actions">
              <Link href={`/drills/${drill.id}/tasks`} class="button primary">
                {t('drills.home.tasks')}
              </Link>
              <Link href={`/drills/${drill.id}`} class="button secondary">
                {t('drills.home.dashboard')}
              </Link>
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * For volunteers, 民生委員 and officers: the households of running confirmations that have
 * been escalated past their 班長 (or went past one nobody can reach), to take ("向かいます")
 * and record from the home page. Nothing is shown while no confirmation is running.
 */
export function EscalatedVisitsSection() {
  const list = useResource((signal) => api.drills(signal), DRILL_LIST_REFRESH);
  const active = (list.data?.items ?? []).filter((d) => d.status === 'active');
  if (list.error) return <ErrorAlert error={list.error} />;
  if (active.length === 0) return null;
  return (
    <section class="section" aria-labelledby="escalated-visits-heading" data-testid="escalated-visits">
      <h2 id="escalated-visits-heading">{t('drills.home.visitsHeading')}</h2>
      <p class="hint">{t('drills.home.visitsIntro')}</p>
      {active.map((drill) => (
        <div key={drill.id} class="stack" data-testid="escalated-drill">
          <h3>
            <KindBadge kind={drill.kind} /> {drill.title}
          </h3>
          <VisitList drillId={drill.id} active only={(target) => target.tier === 'volunteers' || target.tier === 'officers'} />
        </div>
      ))}
    </section>
  );
}
