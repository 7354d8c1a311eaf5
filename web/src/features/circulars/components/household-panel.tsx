import { useEffect, useState } from 'preact/hooks';
import type { CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { formatShortDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { AnswerForm } from './answer-form.js';

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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setAckAt(household.acknowledgedAt), [household.acknowledgedAt]);

  async function acknowledge() {
    setBusy(true);
    setError(null);
    try {
      const result = await api.acknowledge(detail.id);
      setAckAt(result.acknowledgedAt);
      onAcknowledged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
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
          {t('circulars.household.acknowledge')}
        </button>
      )}
      {error ? <ErrorAlert error={error} /> : null}
      {detail.question && <AnswerForm detail={detail} question={detail.question} onChange={onChange} />}
    </section>
  );
}
