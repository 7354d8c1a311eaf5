import type { CircularSummary } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../api.js';
import { ReadRate, dueText } from '../../circulars/components/circular-badges.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { useAsync, useDebounced } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSocketEvent, useSocketReconnect } from '../../../lib/socket.js';

/** Published circulars that are still current: links to each 班's unread list and paper sheet. */
function isCurrent(circular: CircularSummary): boolean {
  if (circular.status !== 'published') return false;
  if (!circular.dueAt) return Date.now() - (Date.parse(circular.publishedAt ?? '') || 0) < 30 * 864e5;
  return Date.parse(circular.dueAt) > Date.now() - 7 * 864e5;
}

export function CaptainCirculars({ nested = false }: { nested?: boolean }) {
  const session = useRequiredSession();
  const list = useAsync((signal) => api.circulars({ status: 'published', limit: 20 }, signal), []);
  useSocketEvent('circular:published', () => list.reload());
  useSocketEvent('circular:updated', () => list.reload());
  useSocketReconnect(() => list.reload());
  const blocks = session.roles.captainOf;
  const current = (list.data?.items ?? []).filter(isCurrent).slice(0, 10);
  const Heading = nested ? 'h3' : 'h2';

  return (
    <div class="captain-circulars" data-testid="captain-circulars">
      <Heading>{t('tasks.circulars.heading')}</Heading>
      {list.error ? <ErrorAlert error={list.error} /> : null}
      {list.loading && !list.data && <Loading />}
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
  const progress = useAsync((signal) => api.progress(circularId, signal), [circularId]);
  const refetch = useDebounced(() => progress.reload(), 500);
  useSocketEvent('circular:acknowledged', (event) => {
    if (event.circularId === circularId) refetch();
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
