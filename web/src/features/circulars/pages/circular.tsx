import { useEffect, useState } from 'preact/hooks';
import type { CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, Loading, Notice } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { dismissToastsFor } from '../../../ui/toasts.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { CircularArticle } from '../components/circular-article.js';
import { HouseholdPanel } from '../components/household-panel.js';
import { OfficerPanel } from '../components/officer-panel.js';
import { QuestionAsked } from '../components/question-asked.js';
import { useResource } from '../../../lib/use-resource.js';
import { BackLink } from '../../../ui/back-link.js';

export function CircularPage({ id }: { id: string }) {
  const session = useRequiredSession();
  // Refetch when the saved language changes: the server picks the version to display.
  const state = useResource((signal) => api.circular(id, signal), {
    deps: [id, session.person.preferredLanguage],
    events: ['circular:updated', 'circular:acknowledged', 'circular:answered'],
    filter: {
      'circular:updated': (event) => event.circularId === id,
      'circular:acknowledged': (event) => event.circularId === id && event.householdId === householdId,
      'circular:answered': (event) => event.circularId === id && event.householdId === householdId,
    },
  });
  const [notice, setNotice] = useState<string | null>(null);
  const detail = state.data;
  useTitle(detail?.display.title ?? t('circulars.title'));
  const householdId: string | undefined = detail?.household?.id;
  useEffect(() => dismissToastsFor(`/circulars/${id}`), [id]);

  const officer = session.roles.officer;
  const update = (next: CircularDetail, message?: string) => {
    state.setData(() => next);
    setNotice(message ?? null);
  };

  return (
    <div class="stack">
      <BackLink class="no-print" href={officer ? '/circulars' : '/'}>{officer ? t('circulars.backToList') : t('circulars.backHome')}</BackLink>
      {state.error && !detail ? (
        <>
          <PageHeading>{t('circulars.title')}</PageHeading>
          <ErrorAlert error={state.error} />
        </>
      ) : null}
      {state.loading && !detail && <Loading />}
      {detail && (
        <>
          <CircularArticle detail={detail} showStatus={officer} />
          {notice && <Notice testid="circular-notice">{notice}</Notice>}
          {detail.household && detail.status === 'published' && (
            <HouseholdPanel detail={detail} onChange={(next) => update(next)} onAcknowledged={() => state.reload()} />
          )}
          {/* Officers answer nothing, so without this they would not see what their households were asked. */}
          {officer && detail.question && <QuestionAsked question={detail.question} />}
          {officer && <OfficerPanel detail={detail} onChange={update} />}
          {!officer && session.roles.captainOf.length > 0 && detail.status === 'published' && (
            <section class="section no-print" aria-labelledby="captain-links-heading">
              <h2 id="captain-links-heading">{t('circulars.captain.heading')}</h2>
              <ul class="plain link-list">
                {session.roles.captainOf.map((block) => (
                  <li key={block.id} class="actions">
                    <Link href={`/circulars/${detail.id}/unread?blockId=${block.id}`} class="button secondary">
                      {t('circulars.captain.unreadFor', { block: block.name })}
                    </Link>
                    <Link href={`/circulars/${detail.id}/progress`} class="button secondary">
                      {t('circulars.progress.link')}
                    </Link>
                    <Link href={`/circulars/${detail.id}/print?blockId=${block.id}`} class="button secondary">
                      {t('circulars.print.linkFor', { block: block.name })}
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </div>
  );
}
