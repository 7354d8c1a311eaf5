import { useState } from 'preact/hooks';
import type { CircularSummary } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { CategoryChip, CorrectedBadge, StatusBadge, dueText, isUnread } from './circular-badges.js';
import { LoadState } from '../../../ui/alerts.js';
import { formatMonthDay } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useResource } from '../../../lib/use-resource.js';
import { CIRCULAR_LIST_REFRESH } from './circular-badges.js';
import { Ruby } from '../../../ui/ruby.js';

const HOUSEHOLD_PAGE = 30;

/** Unread first (newest first), then everything else newest first. */
function householdOrder(items: CircularSummary[]): CircularSummary[] {
  const time = (c: CircularSummary) => Date.parse(c.publishedAt ?? c.publishAt ?? '') || 0;
  return items
    .filter((c) => c.status === 'published' || c.status === 'withdrawn')
    .sort((a, b) => Number(isUnread(b)) - Number(isUnread(a)) || time(b) - time(a));
}

/** The household's circulars: the heart of a member's home page. Refetches live. */
export function HouseholdCirculars({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const session = useRequiredSession();
  const [limit, setLimit] = useState(HOUSEHOLD_PAGE);
  const list = useResource((signal) => api.circulars({ limit }, signal), { deps: [limit, session.person.preferredLanguage], ...CIRCULAR_LIST_REFRESH });
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const items = list.data ? householdOrder(list.data.items) : [];
  const unread = items.filter(isUnread).length;

  return (
    <section class="section" aria-labelledby="circulars-heading" data-testid="household-circulars">
      <Heading id="circulars-heading"><Ruby k="circulars.home.heading" /></Heading>
      {list.data && (
        <p class={unread > 0 ? 'unread-summary has-unread' : 'unread-summary'} data-testid="unread-count">
          {unread > 0 ? t('circulars.home.unreadCount', { count: unread }) : t('circulars.home.allRead')}
        </p>
      )}
      <LoadState state={list} />
      {list.data && items.length === 0 && <p class="card">{t('circulars.home.empty')}</p>}
      {items.length > 0 && (
        <ul class="circular-cards">
          {items.map((circular) => (
            <li key={circular.id}>
              <CircularCard circular={circular} />
            </li>
          ))}
        </ul>
      )}
      {list.data && list.data.total > list.data.items.length && (
        <button type="button" class="secondary" onClick={() => setLimit((n) => Math.min(200, n + HOUSEHOLD_PAGE))}>
          {t('circulars.home.more')}
        </button>
      )}
    </section>
  );
}

function CircularCard({ circular }: { circular: CircularSummary }) {
  const unread = isUnread(circular);
  const withdrawn = circular.status === 'withdrawn';
  const classes = ['circular-card', unread ? 'is-unread' : 'is-read', withdrawn ? 'is-withdrawn' : ''].join(' ');
  return (
    <Link href={`/circulars/${circular.id}`} class={classes} data-testid="circular-card" data-unread={String(unread)}>
      <span class="circular-card-top">
        <CategoryChip category={circular.category} />
        {withdrawn ? (
          <StatusBadge status="withdrawn" />
        ) : (
          <span class={unread ? 'read-state unread' : 'read-state read'}>{unread ? t('circulars.unread') : t('circulars.read')}</span>
        )}
        {circular.corrected && <CorrectedBadge />}
      </span>
      <strong class="circular-card-title">{circular.title}</strong>
      <span class="circular-card-dates">
        {circular.publishedAt && <span>{t('circulars.publishedOn', { date: formatMonthDay(circular.publishedAt) })}</span>}
        {circular.dueAt && !withdrawn && <span class={unread ? 'due due-unread' : 'due'}>{dueText(circular.dueAt)}</span>}
        {circular.hasQuestion && !withdrawn && (
          <span class={circular.answeredAt ? 'has-question answered' : 'has-question'} data-testid="circular-question-state">
            {circular.answeredAt ? t('circulars.questionAnswered') : t('circulars.hasQuestion')}
          </span>
        )}
      </span>
    </Link>
  );
}
