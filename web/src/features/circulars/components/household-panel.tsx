import { useEffect, useState } from 'preact/hooks';
import type { CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { formatShortDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { AnswerForm } from './answer-form.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { Ruby } from '../../../ui/ruby.js';

// ── Household: 読みました and the answer ─────────────────────────────────────────────────

export function HouseholdPanel({
  detail,
  onChange,
  onAcknowledged,
}: {
  detail: CircularDetail;
  onChange: (next: CircularDetail) => void;
  onAcknowledged: () => void;
}) {
  const household = detail.household!;
  const [ackAt, setAckAt] = useState<string | null>(household.acknowledgedAt);
  const { submit: run, busy, error } = useSubmit();
  useEffect(() => setAckAt(household.acknowledgedAt), [household.acknowledgedAt]);

  async function acknowledge() {
    await run(async () => {
      const result = await api.acknowledge(detail.id);
      setAckAt(result.acknowledgedAt);
      onAcknowledged();
    });
  }

  return (
    <section class="household-panel no-print" aria-label={t('circulars.household.panel')}>
      {ackAt ? (
        <p class="acknowledged" data-testid="acknowledge" data-acknowledged="true" role="status">
          <span aria-hidden="true" class="check-mark">
            ✓
          </span>{' '}
          {t('circulars.household.acknowledgedAt', { date: formatShortDateTime(ackAt) })}
        </p>
      ) : (
        <button type="button" class="primary acknowledge-button" data-testid="acknowledge" disabled={busy} onClick={() => void acknowledge()}>
          <Ruby k="circulars.household.acknowledge" />
        </button>
      )}
      {error ? <ErrorAlert error={error} /> : null}
      {detail.question && <AnswerForm detail={detail} question={detail.question} onChange={onChange} />}
    </section>
  );
}
