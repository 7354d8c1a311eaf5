import { useState } from 'preact/hooks';
import type { ReviewItem } from '../../../../../server/src/contracts/directory-accounts.js';
import { formatDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';
import { FieldChanges } from './field-change.js';

export interface ReviewActions {
  approve: (id: string) => Promise<unknown>;
  reject: (id: string, reason: string) => Promise<unknown>;
}

/** Organisations' changes waiting for review, old → new per field, each approved or rejected with a reason. */
export function ReviewList({ items, actions, onDone }: { items: ReviewItem[]; actions: ReviewActions; onDone: () => void }) {
  if (!items.length) return <p class="hint" data-testid="review-empty">{t('directory.review.empty')}</p>;
  return <div class="stack">{items.map((item) => <ReviewCard key={item.id} item={item} actions={actions} onDone={onDone} />)}</div>;
}

function ReviewCard({ item, actions, onDone }: { item: ReviewItem; actions: ReviewActions; onDone: () => void }) {
  const [reason, setReason] = useState<string | null>(null);
  const decision = useSubmit(async (work: () => Promise<unknown>) => {
    await work();
    onDone();
  });
  return (
    <article class="card" data-testid="review-item">
      <h3>{item.service}</h3>
      <p class="hint">{t('directory.review.submitted', { organisation: item.organisation, who: item.submittedBy, at: formatDateTime(item.createdAt) })}</p>
      <FieldChanges changes={item.changes} />
      <ErrorAlert error={decision.error} />
      {reason === null ? (
        <div class="actions">
          <button type="button" class="primary" disabled={decision.busy} onClick={() => void decision.submit(() => actions.approve(item.id))}>{t('directory.review.approve')}</button>
          <button type="button" class="secondary" onClick={() => setReason('')}>{t('directory.review.reject')}</button>
        </div>
      ) : (
        <form class="form" onSubmit={(e) => { e.preventDefault(); void decision.submit(() => actions.reject(item.id, reason)); }}>
          <TextField id={`reason-${item.id}`} label={t('directory.review.reason')} value={reason} onValue={setReason} required />
          <FormActions busy={decision.busy} submitLabel={t('directory.review.rejectSubmit')} cancelLabel={t('common.cancel')} onCancel={() => setReason(null)} />
        </form>
      )}
    </article>
  );
}
