import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MyDrill } from '../../../../../server/src/contracts/drills.js';
import { api, ApiError, type SafetyStatus, type Whereabouts } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { formatTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { SafetyChip } from './drill-badges.js';
import { FormActions } from '../../../ui/form-actions.js';
import { Ruby } from '../../../ui/ruby.js';
import { ShelterPicker, useShelters } from '../../shelters/components/shelter-picker.js';

/** Shared pieces of the safety confirmation (安否確認) pages. */

/** Fired on window when this tab answers, so every view of "my answer" updates at once. */
const ANSWERED_EVENT = 'tonari:drill-answered';

export function useAnswered(handler: (next: MyDrill) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const listener = (event: Event) => ref.current((event as CustomEvent<MyDrill>).detail);
    window.addEventListener(ANSWERED_EVENT, listener);
    return () => window.removeEventListener(ANSWERED_EVENT, listener);
  }, []);
}

export const STATUSES: SafetyStatus[] = ['safe', 'needs_help', 'injured'];
export const WHERES: Whereabouts[] = ['home', 'evacuated', 'away'];

// ── The household's answer ─────────────────────────────────────────────────────────────

/**
 * The question and the household's answer. One tap answers (the common "safe at home" case);
 * afterwards the household can say where they are and add a note, or change the answer.
 */
export function AnswerPanel({
  item,
  onAnswered,
  headingId,
  autoFocus = false,
  footer,
}: {
  item: MyDrill;
  onAnswered: (next: MyDrill) => void;
  headingId: string;
  autoFocus?: boolean;
  footer?: ComponentChildren;
}) {
  const [changing, setChanging] = useState(false);
  const [busy, setBusy] = useState<SafetyStatus | 'details' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [ended, setEnded] = useState(item.drill.status === 'ended');
  const answer = item.answer;
  const asking = !answer || changing;
  const [where, setWhere] = useState<Whereabouts>(answer?.where ?? 'home');
  const [note, setNote] = useState(answer?.note ?? '');
  const [shelterId, setShelterId] = useState<string | null>(answer?.shelterId ?? null);
  const shelters = useShelters();
  const [showDetails, setShowDetails] = useState(false);
  const firstButton = useRef<HTMLButtonElement>(null);
  const confirmation = useRef<HTMLParagraphElement>(null);
  const drill = item.drill;
  const prefix = `drill-${drill.id}`;

  useEffect(() => {
    if (autoFocus && asking) firstButton.current?.focus();
  }, [autoFocus, asking]);

  async function send(status: SafetyStatus, body: { where: Whereabouts; note: string; shelterId?: string | null }, kind: SafetyStatus | 'details') {
    setBusy(kind);
    setError(null);
    try {
      const next = await api.answerDrill(drill.id, { status, ...body, shelterId: body.where === 'evacuated' ? (body.shelterId ?? null) : null });
      setChanging(false);
      // "Safe" is done in one tap; for help or injury, ask where they are and what is wrong.
      setShowDetails(kind !== 'details' && status !== 'safe');
      onAnswered(next);
      window.dispatchEvent(new CustomEvent(ANSWERED_EVENT, { detail: next }));
      // Say it happened, calmly, and move focus there.
      setTimeout(() => confirmation.current?.focus(), 0);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setEnded(true);
      else setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div class={`answer-panel kind-${drill.kind}`}>
      <p class={`drill-kind-banner kind-${drill.kind}`}>
        <Ruby k={drill.kind === 'real' ? 'drills.prompt.realBanner' : 'drills.prompt.drillBanner'} />
      </p>
      <h2 id={headingId} class="drill-title">
        {drill.title}
      </h2>
      {drill.message && <p class="drill-message notes">{drill.message}</p>}
      {ended && (
        <p class="alert alert-warning" role="status" data-testid="drill-ended-notice">
          {t('drills.prompt.ended')}
        </p>
      )}
      {!ended && asking && (
        <div class="safety-question">
          <p class="safety-question-text"><Ruby k="drills.prompt.question" /></p>
          <div class="safety-buttons">
            {STATUSES.map((status, index) => (
              <button
                key={status}
                ref={index === 0 ? firstButton : undefined}
                type="button"
                class={`safety-button safety-button-${status}`}
                data-status={status}
                disabled={busy !== null}
                onClick={() => void send(status, { where: changing && answer ? where : 'home', note: changing && answer ? note : '', shelterId: changing && answer ? shelterId : null }, status)}
              >
                <Ruby k={`drills.prompt.answers.${status}`} />
              </button>
            ))}
          </div>
          {busy && busy !== 'details' && (
            <p role="status" class="muted">
              {t('drills.prompt.sending')}
            </p>
          )}
          {changing && (
            <button type="button" class="secondary" onClick={() => setChanging(false)}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      )}
      {!asking && answer && (
        <div class="answered" data-testid="drill-answered" data-status={answer.status} data-where={answer.where}>
          <p class="answered-text" tabIndex={-1} ref={confirmation} role="status">
            <span class="check-mark" aria-hidden="true">
              ✓
            </span>{' '}
            {t('drills.prompt.answered', { time: formatTime(answer.at) })}
          </p>
          <p class="answered-summary">
            <SafetyChip status={answer.status} /> <span class="answered-where">{t(`drills.where.${answer.where}`)}</span>
            {answer.shelterName && <span class="answered-shelter" data-testid="answered-shelter"> — {answer.shelterName}</span>}
            {answer.note && <span class="notes"> — {answer.note}</span>}
          </p>
          {!ended && (
            <>
              {!showDetails ? (
                <div class="actions">
                  <button type="button" class="secondary" onClick={() => setShowDetails(true)} data-testid="drill-add-where">
                    {t('drills.prompt.addWhere')}
                  </button>
                  <button type="button" class="secondary" onClick={() => setChanging(true)}>
                    {t('drills.prompt.change')}
                  </button>
                </div>
              ) : (
                <form
                  class="answer-details"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void send(answer.status, { where, note: note.trim(), shelterId }, 'details');
                  }}
                >
                  {answer.status !== 'safe' && <p class="hint">{t('drills.prompt.helpHint')}</p>}
                  <fieldset class="field where-choices">
                    <legend>{t('drills.prompt.whereLegend')}</legend>
                    {WHERES.map((value) => (
                      <div class="check big-check" key={value}>
                        <input type="radio" id={`${prefix}-where-${value}`} name={`${prefix}-where`} checked={where === value} onChange={() => setWhere(value)} />
                        <label for={`${prefix}-where-${value}`}>{t(`drills.where.${value}`)}</label>
                      </div>
                    ))}
                  </fieldset>
                  {where === 'evacuated' && <ShelterPicker id={`${prefix}-shelter`} value={shelterId} onValue={setShelterId} shelters={shelters} />}
                  <NoteField id={`${prefix}-note`} label={t('drills.prompt.note')} value={note} onValue={setNote} />
                  <FormActions busy={busy !== null} submitLabel={t('drills.prompt.send')} cancelLabel={t('common.cancel')} onCancel={() => setShowDetails(false)} />
                </form>
              )}
              {showDetails && (
                <button type="button" class="secondary" onClick={() => setChanging(true)}>
                  {t('drills.prompt.change')}
                </button>
              )}
            </>
          )}
        </div>
      )}
      {error ? <ErrorAlert error={error} /> : null}
      {footer}
    </div>
  );
}

/** The free-text note sent with an answer or a visit (the server keeps 500 characters). */
export function NoteField({ id, label, value, onValue }: { id: string; label: string; value: string; onValue: (value: string) => void }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} rows={2} maxLength={500} value={value} onInput={(e) => onValue(e.currentTarget.value)} />
    </div>
  );
}
