import type { CircularSummary } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { ReadRate, dueText } from '../../circulars/components/circular-badges.js';
import { LoadState } from '../../../ui/alerts.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useResource } from '../../../lib/use-resource.js';

/** Published circulars that are still current: links to each 班's unread list and paper sheet. */
function isCurrent(circular: CircularSummary): boolean {
  if (circular.status !== 'published') return false;
  if (!circular.dueAt) return Date.now() - (Date.parse(circular.publishedAt ?? '') || 0) < 30 * 864e5;
  return Date.parse(circular.dueAt) > Date.now() - 7 * 864e5;
}

export function CaptainCirculars({ nested = false }: { nested?: boolean }) {
  const session = useRequiredSession();
  const list = useResource((signal) => api.circulars({ status: 'published', limit: 20 }, signal), { events: ['circular:published', 'circular:updated'] });
  const blocks = session.roles.captainOf;
  const current = (list.data?.items ?? []).filter(isCurrent).slice(0, 10);
  const Heading = nested ? 'h3' : 'h2';

  return (
    <div class="captain-circulars" data-testid="captain-circulars">
      <Heading>{t('tasks.circulars.heading')}</Heading>
      <LoadState state={list} />
      {list.data && current.length === 0 && <p class="muted">{t('tasks.circulars.empty')}</p>}
      {current.length > 0 && (
        <ul class="plain captain-circular-list">
          {current.map((circular) => (
            <li key={circular.id} class="card">
              <p class="captain-circular-title">
                <Link href={`/circulars/${circular.id}`}>{circular.title}</Link>
                {circular.dueAt && <span class="due-inline"> {dueText(circular.dueAt)}</span>}
              </p>
              <BlockProgress circularId={circular.id} />
              <p class="actions">
                {blocks.map((block) => (
                  <Link key={block.id} href={`/circulars/${circular.id}/unread?blockId=${block.id}`} class="button secondary small">
                    {t('circulars.captain.unreadFor', { block: block.name })}
                  </Link>
                ))}
                {blocks.map((block) => (
                  <Link key={`p-${block.id}`} href={`/circulars/${circular.id}/print?blockId=${block.id}`} class="button secondary small">
                    {t('circulars.print.linkFor', { block: block.name })}
                  </Link>
                ))}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The captain's 班 read rate for one circular (the server limits progress to their 班). */
function BlockProgress({ circularId }: { circularId: string }) {
  const progress = useResource((signal) => api.progress(circularId, signal), {
    deps: [circularId],
    events: ['circular:acknowledged'],
    filter: { 'circular:acknowledged': (event) => event.circularId === circularId },
    debounceMs: 500,
    onReconnect: false,
  });
  if (!progress.data) return null;
  return (
    <ul class="plain block-progress">
      {progress.data.byBlock.map((block) => (
        <li key={block.blockId}>
          <span class="block-progress-name">{block.blockName}</span> <ReadRate acknowledged={block.acknowledged} total={block.total} />
        </li>
      ))}
    </ul>
  );
}
