import type { CircularDetail, Progress } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { Bar, percent } from '../../../ui/bar.js';
import { DataTable } from '../../../ui/data-table.js';
import { CategoryChip, StatusBadge, dueText, optionLabels } from '../components/circular-badges.js';
import { CHANNELS } from '../../../ui/channels.js';
import { ErrorAlert, LoadState } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useResource } from '../../../lib/use-resource.js';

export function ProgressPage({ id }: { id: string }) {
  const detail = useResource((signal) => api.circular(id, signal), {
    deps: [id],
    events: ['circular:updated'],
    filter: { 'circular:updated': (event) => event.circularId === id },
  });
  const progress = useResource((signal) => api.progress(id, signal), {
    deps: [id],
    events: ['circular:acknowledged', 'circular:answered', 'roster:changed'],
    filter: { 'circular:acknowledged': (event) => event.circularId === id, 'circular:answered': (event) => event.circularId === id },
    debounceMs: 300,
  });
  useTitle(t('circulars.progress.title'));

  return (
    <div class="stack">
      <p class="no-print">
        <Link href={`/circulars/${id}`}>{t('circulars.progress.backToCircular')}</Link>
      </p>
      <PageHeading>{t('circulars.progress.title')}</PageHeading>
      {detail.data && (
        <div class="progress-circular">
          <p class="badges">
            <CategoryChip category={detail.data.category} />
            <StatusBadge status={detail.data.status} />
          </p>
          <p class="progress-circular-title">
            <Link href={`/circulars/${id}`}>{detail.data.title}</Link>
          </p>
          {detail.data.dueAt && <p class="muted">{dueText(detail.data.dueAt)}</p>}
        </div>
      )}
      {detail.error ? <ErrorAlert error={detail.error} /> : null}
      <LoadState state={progress} />
      {progress.data && <ProgressView progress={progress.data} detail={detail.data} />}
    </div>
  );
}

function ProgressView({ progress, detail }: { progress: Progress; detail: CircularDetail | undefined }) {
  const rate = percent(progress.acknowledged, progress.total);
  const question = detail?.question ?? null;
  return (
    <>
      <section class="progress-summary" aria-label={t('circulars.progress.summary')} data-testid="progress-summary">
        <div class="big-stat">
          <span class="big-stat-label">{t('circulars.progress.readRate')}</span>
          <span class="big-stat-value" data-testid="progress-rate">
            {t('circulars.progress.percent', { percent: rate })}
          </span>
          <span class="big-stat-sub" data-testid="progress-total">
            {t('circulars.progress.ofTotal', { acknowledged: progress.acknowledged, total: progress.total })}
          </span>
          <Bar value={progress.acknowledged} max={progress.total} />
        </div>
        {question && (
          <div class="big-stat">
            <span class="big-stat-label">{t('circulars.progress.answered')}</span>
            <span class="big-stat-value" data-testid="progress-answered">
              {t('circulars.progress.households', { count: progress.answered })}
            </span>
            <span class="big-stat-sub">{t('circulars.progress.ofHouseholds', { total: progress.total })}</span>
          </div>
        )}
        <div class="big-stat">
          <span class="big-stat-label">{t('circulars.progress.byChannel')}</span>
          <ul class="plain channel-counts" data-testid="progress-channels">
            {CHANNELS.map((channel) => (
              <li key={channel}>
                <span>{t(`channels.${channel}`)}</span> <strong>{t('circulars.progress.households', { count: progress.byChannel[channel] })}</strong>
              </li>
            ))}
          </ul>
        </div>
      </section>

      <section class="section" aria-labelledby="by-block-heading">
        <h2 id="by-block-heading">{t('circulars.progress.byBlock')}</h2>
        {progress.byBlock.length === 0 ? (
          <p class="muted">{t('circulars.progress.noBlocks')}</p>
        ) : (
          <DataTable
            class="stacked by-block"
            rows={progress.byBlock}
            rowKey={(block) => block.blockId}
            rowProps={() => ({ 'data-testid': 'progress-block-row' })}
            columns={[
              { label: t('blocks.title'), class: 'block-name', cell: (block) => block.blockName },
              {
                label: t('circulars.progress.readOfHouseholds'),
                class: 'num',
                cell: (block) => (
                  <>
                    {block.acknowledged} / {block.total}
                  </>
                ),
              },
              {
                label: t('circulars.progress.rate'),
                cell: (block) => (
                  <span class="rate-cell">
                    <span class="num">{percent(block.acknowledged, block.total)}%</span>
                    <Bar value={block.acknowledged} max={block.total} />
                  </span>
                ),
              },
              question && { label: t('circulars.progress.answered'), class: 'num', cell: (block) => block.answered },
              { label: t('circulars.progress.paperCopies'), class: 'num', cell: (block) => <span data-testid="paper-copies">{t('circulars.progress.households', { count: block.paperCopies })}</span> },
              {
                label: t('common.actions'),
                cell: (block) => (
                  <span class="actions">
                    <Link href={`/circulars/${progress.circularId}/unread?blockId=${block.blockId}`} class="button secondary small">
                      {t('circulars.progress.unreadList', { count: block.total - block.acknowledged })}
                    </Link>
                    <Link href={`/circulars/${progress.circularId}/print?blockId=${block.blockId}`} class="button secondary small">
                      {t('circulars.print.link')}
                    </Link>
                  </span>
                ),
              },
            ]}
          />
        )}
      </section>

      {question && progress.tallies && (
        <section class="section" aria-labelledby="tallies-heading" data-testid="tallies">
          <h2 id="tallies-heading">{t('circulars.progress.tallies')}</h2>
          <p class="question-prompt">{question.prompt}</p>
          <ul class="plain tally-list">
            {optionLabels(question).map((label, index) => {
              const count = progress.tallies?.counts[index] ?? 0;
              const max = Math.max(1, ...(progress.tallies?.counts ?? [0]));
              return (
                <li key={index} class="tally" data-testid="tally">
                  <span class="tally-label">{label}</span>
                  <span class="tally-count">{t('circulars.progress.households', { count })}</span>
                  <Bar value={count} max={Math.max(max, progress.answered)} tone="answer" />
                </li>
              );
            })}
          </ul>
          {question.type === 'attendance' && progress.tallies.headcount !== null && (
            <p class="headcount-total" data-testid="headcount-total">
              {t('circulars.progress.headcount', { count: progress.tallies.headcount })}
            </p>
          )}
        </section>
      )}
    </>
  );
}
