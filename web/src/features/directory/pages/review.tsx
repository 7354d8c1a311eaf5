import { api } from '../../../lib/api.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { useResource } from '../../../lib/use-resource.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { notifyReviewChanged } from '../components/review-count.js';
import { ReviewList } from '../components/review-list.js';

/** /directory/review (officers): organisations' changes to the association's entries, waiting for review. */
export function DirectoryReviewPage() {
  useTitle(t('directory.review.title'));
  const queue = useResource((signal) => api.directoryReview(signal), { onReconnect: false });
  const done = () => {
    queue.reload();
    notifyReviewChanged();
  };
  return (
    <div class="stack">
      <PageHeading>{t('directory.review.title')}</PageHeading>
      <p class="lead">{t('directory.review.intro')}</p>
      {queue.error ? <ErrorAlert error={queue.error} /> : !queue.data ? <Loading /> : (
        <ReviewList items={queue.data.items} onDone={done} actions={{ approve: api.approveDirectoryChange, reject: api.rejectDirectoryChange }} />
      )}
    </div>
  );
}
