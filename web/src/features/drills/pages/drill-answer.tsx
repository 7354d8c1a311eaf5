import type { MyDrill } from '../../../../../server/src/contracts/drills.js';
import { api } from '../../../lib/api.js';
import { LoadState } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { AnswerPanel } from '../components/answer-panel.js';
import { t } from '../../../lib/i18n.js';
import { useResource } from '../../../lib/use-resource.js';
import { withMyDrill } from '../components/drill-list-refresh.js';
import { BackLink } from '../../../ui/back-link.js';

// ── /drills/:id/answer ─────────────────────────────────────────────────────────────────

/** The question on a page of its own (the link in the push notification). */
export function DrillAnswerPage({ id }: { id: string }) {
  useTitle(t('drills.answerPage.title'));
  const mine = useResource((signal) => api.myDrills(signal), {
    deps: [id],
    events: ['drill:ended'],
    filter: { 'drill:ended': (event) => event.drillId === id },
    debounceMs: 300,
  });
  const item = mine.data?.items.find((i) => i.drill.id === id);
  const update = (next: MyDrill) => mine.setData(withMyDrill(next));

  return (
    <div class="stack narrow">
      <BackLink href="/">{t('drills.answerPage.backHome')}</BackLink>
      <PageHeading>{t('drills.answerPage.title')}</PageHeading>
      <LoadState state={mine} />
      {mine.data && !item && (
        <p class="card" data-testid="drill-not-active">
          {t('drills.answerPage.notActive')}
        </p>
      )}
      {item && (
        <section class={`card drill-answer-card kind-${item.drill.kind}`} data-testid="drill-prompt" data-drill-id={item.drill.id}>
          <AnswerPanel item={item} headingId="drill-answer-heading" onAnswered={update} autoFocus />
        </section>
      )}
    </div>
  );
}
