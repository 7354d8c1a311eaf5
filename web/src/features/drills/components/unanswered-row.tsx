import { useState } from 'preact/hooks';
import type { TargetView } from '../../../../../server/src/contracts/drills.js';
import { api, type SafetyStatus } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { TargetName } from './target-card.js';
import { RiskTags, SafetyChip } from './drill-badges.js';
import { STATUSES } from './answer-panel.js';
import { t } from '../../../lib/i18n.js';
import { ResponderNotes } from '../../../ui/responder-notes.js';
import { MemberPhones } from '../../../ui/member-phones.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { FormActions } from '../../../ui/form-actions.js';
import { EvacuatedFields } from '../../shelters/components/shelter-picker.js';

// ── One unaccounted household, with "confirmed in person" ──────────────────────────────

export function UnansweredRow({ drillId, target, active, onRecorded }: { drillId: string; target: TargetView; active: boolean; onRecorded: () => void }) {
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState<SafetyStatus>('safe');
  const [note, setNote] = useState('');
  const [evacuated, setEvacuated] = useState(false);
  const [shelterId, setShelterId] = useState<string | null>(null);
  const { submit: run, busy, error } = useSubmit();
  const prefix = `proxy-${target.householdId}`;

  async function record(event: Event) {
    event.preventDefault();
    await run(async () => {
      await api.proxyAnswer(drillId, { householdId: target.householdId, status, where: evacuated ? 'evacuated' : 'home', shelterId: evacuated ? shelterId : null, note: note.trim() });
      setOpen(false);
      onRecorded();
    });
  }

  return (
    <li class="card target-row" data-testid="unanswered-row" data-household-id={target.householdId}>
      <TargetName target={target} />
      <p class="target-tags">
        <RiskTags risk={target.risk} />
        {target.tier !== 'none' && <span class="chip tier-chip">{t(`drills.tiers.${target.tier}`)}</span>}
        {target.visitOutcome === 'absent' && <SafetyChip status="absent" />}
      </p>
      {target.takenBy && <p class="taken-by">{t('drills.takenBy', { name: target.takenBy })}</p>}
      <ResponderNotes notes={target.responderNotes} />
      <MemberPhones members={target.members} />
      {active && !open && (
        <button type="button" class="secondary" onClick={() => setOpen(true)}>
          {t('drills.dashboard.proxy')}
        </button>
      )}
      {active && open && (
        <form class="proxy-form task-resolve" onSubmit={(e) => void record(e)}>
          <fieldset class="field">
            <legend>{t('drills.dashboard.proxyStatus')}</legend>
            {STATUSES.map((value) => (
              <div class="check big-check" key={value}>
                <input type="radio" id={`${prefix}-${value}`} name={`${prefix}-status`} checked={status === value} onChange={() => setStatus(value)} />
                <label for={`${prefix}-${value}`}>{t(`drills.safety.${value}`)}</label>
              </div>
            ))}
          </fieldset>
          <EvacuatedFields prefix={prefix} evacuated={evacuated} onEvacuated={setEvacuated} shelterId={shelterId} onShelter={setShelterId} />
          <div class="field">
            <label for={`${prefix}-note`}>{t('drills.note')}</label>
            <input id={`${prefix}-note`} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </div>
          {error ? <ErrorAlert error={error} /> : null}
          <FormActions busy={busy} submitLabel={t('drills.record')} cancelLabel={t('common.cancel')} onCancel={() => setOpen(false)} />
        </form>
      )}
    </li>
  );
}
