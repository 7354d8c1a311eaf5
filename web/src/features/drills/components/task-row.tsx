import { useEffect, useRef, useState } from 'preact/hooks';
import { EvacuatedFields } from '../../shelters/components/shelter-picker.js';
import type { TargetView } from '../../../../../server/src/contracts/drills.js';
import { api, ApiError, type VisitOutcome } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { formatTime, joinParts, paren } from '../../../lib/format.js';
import { RiskTags, SafetyChip } from './drill-badges.js';
import { t } from '../../../lib/i18n.js';
import { ResponderNotes } from '../../../ui/responder-notes.js';
import { MemberPhones } from '../../../ui/member-phones.js';
import { FormActions } from '../../../ui/form-actions.js';
import { skippedText, TargetName } from './target-card.js';
import { NoteField } from './answer-panel.js';
import { ReferralPanel } from '../../directory/components/referral-panel.js';

const OUTCOMES: VisitOutcome[] = ['safe', 'needs_help', 'injured', 'absent'];

/**
 * One household to visit: "向かいます" (take it), then record the visit (safe, needs help,
 * injured, absent). The drill's visit list and the volunteers' and officers' home page use it.
 */
export function TaskRow({ drillId, target, active, me, onDone, focused = false }: { drillId: string; target: TargetView; active: boolean; me: string; onDone: (gone: boolean) => void; focused?: boolean }) {
  const rowRef = useRef<HTMLLIElement>(null);
  // Opened for this household (「訪問を記録する」 on /tasks): bring its card into view, not the list's top.
  useEffect(() => {
    if (!focused || !rowRef.current) return;
    rowRef.current.scrollIntoView({ block: 'start' });
    rowRef.current.focus({ preventScroll: true });
  }, [focused]);
  const [recording, setRecording] = useState(false);
  const [outcome, setOutcome] = useState<VisitOutcome | null>(null);
  const [note, setNote] = useState('');
  const [evacuated, setEvacuated] = useState(false);
  const [shelterId, setShelterId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [takenByMe, setTakenByMe] = useState(false);
  const prefix = `visit-${target.householdId}`;
  const takenBy = takenByMe ? me : target.takenBy;
  const mine = takenBy === me;

  async function take() {
    setBusy(true);
    setError(null);
    setConflict(null);
    try {
      await api.takeDrillTask(drillId, target.householdId);
      setTakenByMe(true);
      onDone(false);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setConflict(t('drills.tasks.someoneElse'));
        onDone(false);
      } else setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function record(event: Event) {
    event.preventDefault();
    if (!outcome) {
      setError(t('drills.tasks.chooseOutcome'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const away = evacuated && outcome !== 'absent';
      await api.recordVisit(drillId, { householdId: target.householdId, outcome, note: note.trim(), where: away ? 'evacuated' : 'home', shelterId: away ? shelterId : null });
      setRecording(false);
      setOutcome(null);
      setNote('');
      onDone(outcome === 'safe');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li
      ref={rowRef}
      class={`card drill-task-row${target.status ? ` safety-border-${target.status}` : ''}${focused ? ' focused' : ''}`}
      data-testid="drill-task-row"
      data-household-id={target.householdId}
      tabIndex={focused ? -1 : undefined}
      aria-current={focused ? 'true' : undefined}
    >
      <div class="task-top">
        <RiskTags risk={target.risk} />
        {target.tier !== 'none' && <span class="chip tier-chip">{t(`drills.tiers.${target.tier}`)}</span>}
        {target.skipped.length > 0 && (
          <span class="muted small-text" data-testid="drill-task-skipped">
            {skippedText(target.skipped)}
          </span>
        )}
      </div>
      <TargetName target={target} heading="h2" nameClass="task-household" addressClass="task-address" />
      {target.status && (
        <p class="task-answer">
          <SafetyChip status={target.status} /> {target.where && t(`drills.where.${target.where}`)}
          {target.shelterName && ` — ${target.shelterName}`}
          {target.answeredAt && (
            <span class="muted">{paren(joinParts([formatTime(target.answeredAt), target.channel && t(`drills.channels.${target.channel}`)]))}</span>
          )}
        </p>
      )}
      {target.visitOutcome === 'absent' && !target.status && (
        <p class="task-answer">
          <SafetyChip status="absent" /> <span class="muted">{t('drills.tasks.absentBefore')}</span>
        </p>
      )}
      {target.note && <p class="notes target-note">{target.note}</p>}
      <ResponderNotes notes={target.responderNotes} class="notes responder-notes" />
      <MemberPhones members={target.members} />
      {takenBy && (
        <p class={mine ? 'taken-by mine' : 'taken-by'} data-testid="drill-task-taken">
          {mine ? t('drills.tasks.youAreGoing') : t('drills.takenBy', { name: takenBy })}
        </p>
      )}
      {conflict && (
        <p class="alert alert-warning" role="alert">
          {conflict}
        </p>
      )}
      {active && !recording && (
        <div class="task-buttons">
          {!takenBy && (
            <button type="button" class="primary big-action" disabled={busy} onClick={() => void take()}>
              {t('drills.tasks.take')}
            </button>
          )}
          <button type="button" class={takenBy ? 'primary big-action' : 'secondary big-action'} disabled={busy} onClick={() => setRecording(true)}>
            {t('drills.tasks.visit')}
          </button>
        </div>
      )}
      {active && recording && (
        <form class="visit-form" onSubmit={(e) => void record(e)} data-testid="visit-form">
          <fieldset class="field visit-outcomes">
            <legend>{t('drills.tasks.outcome')}</legend>
            <div class="outcome-buttons">
              {OUTCOMES.map((value) => (
                <div class={`outcome-choice outcome-${value}`} key={value}>
                  <input type="radio" id={`${prefix}-${value}`} name={`${prefix}-outcome`} checked={outcome === value} onChange={() => setOutcome(value)} />
                  <label for={`${prefix}-${value}`}>{t(`drills.safety.${value}`)}</label>
                </div>
              ))}
            </div>
          </fieldset>
          {outcome !== 'absent' && <EvacuatedFields prefix={prefix} evacuated={evacuated} onEvacuated={setEvacuated} shelterId={shelterId} onShelter={setShelterId} />}
          <NoteField id={`${prefix}-note`} label={t('drills.note')} value={note} onValue={setNote} />
          <FormActions
            class="task-buttons"
            submitClass="primary big-action"
            busy={busy}
            submitLabel={t('drills.record')}
            cancelLabel={t('common.cancel')}
            onCancel={() => setRecording(false)}
          />
        </form>
      )}
      {!recording && (target.status === 'needs_help' || target.status === 'injured') && (
        <ReferralPanel source="drill_visit" sourceId={drillId} householdId={target.householdId} />
      )}
      {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
    </li>
  );
}
