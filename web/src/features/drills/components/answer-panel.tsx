import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DrillSummary, MyDrill, TargetView } from '../../../../../server/src/contracts/drills.js';
import { api, ApiError, type SafetyStatus, type Whereabouts } from '../../../api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { formatShortDateTime, formatTime, joinParts, paren } from '../../../lib/format.js';
import { useAsync, useDebounced } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link, useLocation } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSocketEvent, useSocketReconnect } from '../../../lib/socket.js';

/** Shared pieces of the safety confirmation (安否確認) pages. */

/** Fired on window when this tab answers, so every view of "my answer" updates at once. */
const ANSWERED_EVENT = 'tonari:drill-answered';

function useAnswered(handler: (next: MyDrill) => void): void {
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

export function KindBadge({ kind, large = false }: { kind: DrillSummary['kind']; large?: boolean }) {
  return (
    <span class={`kind-badge kind-${kind}${large ? ' large' : ''}`} data-kind={kind}>
      {t(`drills.kinds.${kind}`)}
    </span>
  );
}

export function DrillStatusChip({ status }: { status: DrillSummary['status'] }) {
  return (
    <span class={`status-chip drill-status-${status}`} data-status={status}>
      {t(`drills.statuses.${status}`)}
    </span>
  );
}

export function SafetyChip({ status }: { status: SafetyStatus | 'absent' | 'unanswered' }) {
  return (
    <span class={`safety-chip safety-${status}`} data-status={status}>
      {t(`drills.safety.${status}`)}
    </span>
  );
}

export function RiskTags({ risk }: { risk: TargetView['risk'] }) {
  if (risk.length === 0) return null;
  return (
    <span class="badges">
      {risk.map((tag) => (
        <span key={tag} class={`chip risk-tag risk-${tag}`} data-risk={tag}>
          {t(`drills.risk.${tag}`)}
        </span>
      ))}
    </span>
  );
}

export function percentOf(part: number, total: number): number {
  return total > 0 ? Math.round((part / total) * 100) : 0;
}

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
  const [showDetails, setShowDetails] = useState(false);
  const firstButton = useRef<HTMLButtonElement>(null);
  const confirmation = useRef<HTMLParagraphElement>(null);
  const drill = item.drill;
  const prefix = `drill-${drill.id}`;

  useEffect(() => {
    if (autoFocus && asking) firstButton.current?.focus();
  }, [autoFocus, asking]);

  async function send(status: SafetyStatus, body: { where: Whereabouts; note: string }, kind: SafetyStatus | 'details') {
    setBusy(kind);
    setError(null);
    try {
      const next = await api.answerDrill(drill.id, { status, ...body });
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
        {drill.kind === 'real' ? t('drills.prompt.realBanner') : t('drills.prompt.drillBanner')}
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
          <p class="safety-question-text">{t('drills.prompt.question')}</p>
          <div class="safety-buttons">
            {STATUSES.map((status, index) => (
              <button
                key={status}
                ref={index === 0 ? firstButton : undefined}
                type="button"
                class={`safety-button safety-button-${status}`}
                data-status={status}
                disabled={busy !== null}
                onClick={() => void send(status, { where: changing && answer ? where : 'home', note: changing && answer ? note : '' }, status)}
              >
                {t(`drills.prompt.answers.${status}`)}
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
                    void send(answer.status, { where, note: note.trim() }, 'details');
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
                  <div class="field">
                    <label for={`${prefix}-note`}>{t('drills.prompt.note')}</label>
                    <textarea id={`${prefix}-note`} rows={2} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
                  </div>
                  <div class="actions">
                    <button type="submit" class="primary" disabled={busy !== null}>
                      {t('drills.prompt.send')}
                    </button>
                    <button type="button" class="secondary" onClick={() => setShowDetails(false)}>
                      {t('common.cancel')}
                    </button>
                  </div>
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

// ── The full-screen prompt ─────────────────────────────────────────────────────────────

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * For household members: when a safety confirmation addressed to the household has no answer
 * yet, a full-screen question over whatever page is open. Checked on load, when one starts,
 * and when the socket comes back after a drop.
 */
export function DrillPromptHost() {
  const session = useRequiredSession();
  const { path } = useLocation();
  const householdId = session.roles.household?.id;
  const mine = useAsync((signal) => (householdId ? api.myDrills(signal) : Promise.resolve({ items: [] as MyDrill[] })), [householdId]);
  const [openId, setOpenId] = useState<string | null>(null);
  const [later, setLater] = useState<string[]>([]);
  const refetch = useDebounced(() => mine.reload(), 300);
  useAnswered((next) => mine.setData((previous) => previous && { items: previous.items.map((i) => (i.drill.id === next.drill.id ? next : i)) }));
  useSocketEvent('drill:started', () => {
    mine.reload();
  });
  useSocketEvent('drill:ended', () => refetch());
  useSocketEvent('drill:updated', (event) => {
    if (event.householdId === householdId) refetch();
  });
  useSocketReconnect(() => mine.reload());

  const items = mine.data?.items ?? [];
  const onAnswerPage = (id: string) => path === `/drills/${id}/answer`;
  const pending = items.filter((i) => i.drill.status === 'active' && !i.answer && !onAnswerPage(i.drill.id));

  useEffect(() => {
    if (openId && items.some((i) => i.drill.id === openId)) return;
    const next = pending.find((i) => !later.includes(i.drill.id));
    setOpenId(next ? next.drill.id : null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mine.data, later, path]);

  const open = items.find((i) => i.drill.id === openId && !onAnswerPage(i.drill.id));
  const waiting = pending.filter((i) => later.includes(i.drill.id));

  return (
    <>
      {waiting.length > 0 && !open && (
        <div class={`drill-reminder kind-${waiting[0]!.drill.kind}`} role="region" aria-label={t('drills.prompt.reminderLabel')} data-testid="drill-reminder">
          <p>
            <KindBadge kind={waiting[0]!.drill.kind} /> {t('drills.prompt.reminder', { title: waiting[0]!.drill.title })}
          </p>
          <button type="button" class="primary" onClick={() => setLater((ids) => ids.filter((id) => id !== waiting[0]!.drill.id))}>
            {t('drills.prompt.answerNow')}
          </button>
        </div>
      )}
      {open && (
        <PromptDialog
          key={open.drill.id}
          item={open}
          onAnswered={(next) => mine.setData((previous) => previous && { items: previous.items.map((i) => (i.drill.id === next.drill.id ? next : i)) })}
          onClose={() => {
            if (!open.answer) setLater((ids) => [...ids, open.drill.id]);
            setOpenId(null);
          }}
        />
      )}
    </>
  );
}

function PromptDialog({ item, onAnswered, onClose }: { item: MyDrill; onAnswered: (next: MyDrill) => void; onClose: () => void }) {
  const dialog = useRef<HTMLDivElement>(null);
  const answered = Boolean(item.answer);
  const latest = useRef({ answered, onClose });
  latest.current = { answered, onClose };

  // Keep focus inside the dialog; restore it afterwards; no scrolling the page behind.
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const overflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    const node = dialog.current;
    if (node && !node.contains(document.activeElement)) {
      const first = node.querySelector<HTMLElement>('.safety-button') ?? node.querySelector<HTMLElement>(FOCUSABLE);
      first?.focus();
    }
    function onKey(event: KeyboardEvent) {
      if (!node) return;
      if (event.key === 'Escape' && latest.current.answered) {
        event.preventDefault();
        latest.current.onClose();
        return;
      }
      if (event.key !== 'Tab') return;
      const focusable = [...node.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
      if (focusable.length === 0) return;
      const first = focusable[0]!;
      const last = focusable[focusable.length - 1]!;
      if (event.shiftKey && (document.activeElement === first || !node.contains(document.activeElement))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (document.activeElement === last || !node.contains(document.activeElement))) {
        event.preventDefault();
        first.focus();
      }
    }
    function onFocusIn(event: FocusEvent) {
      if (node && event.target instanceof Node && !node.contains(event.target)) {
        node.querySelector<HTMLElement>(FOCUSABLE)?.focus();
      }
    }
    document.addEventListener('keydown', onKey);
    document.addEventListener('focusin', onFocusIn);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('focusin', onFocusIn);
      document.body.style.overflow = overflow;
      previous?.focus?.();
    };
  }, []);

  const headingId = `drill-prompt-title-${item.drill.id}`;
  return (
    <div class="drill-overlay" data-kind={item.drill.kind}>
      <div
        ref={dialog}
        class={`drill-dialog kind-${item.drill.kind}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={headingId}
        data-testid="drill-prompt"
        data-drill-id={item.drill.id}
      >
        <AnswerPanel
          item={item}
          headingId={headingId}
          onAnswered={onAnswered}
          footer={
            <div class="dialog-footer">
              {answered ? (
                <button type="button" class="primary" onClick={onClose} data-testid="drill-prompt-close">
                  {t('common.close')}
                </button>
              ) : (
                <button type="button" class="link-button" onClick={onClose}>
                  {t('drills.prompt.later')}
                </button>
              )}
            </div>
          }
        />
      </div>
    </div>
  );
}

// ── Home page sections ─────────────────────────────────────────────────────────────────

/** A household's active confirmations and its answers, on the home page. */
export function MyDrillsSection() {
  const mine = useAsync((signal) => api.myDrills(signal), []);
  const refetch = useDebounced(() => mine.reload(), 300);
  useAnswered((next) => mine.setData((previous) => previous && { items: previous.items.map((i) => (i.drill.id === next.drill.id ? next : i)) }));
  useSocketEvent('drill:started', () => refetch());
  useSocketEvent('drill:ended', () => refetch());
  useSocketEvent('drill:updated', () => refetch());
  useSocketReconnect(() => mine.reload());
  const items = mine.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section class="section" aria-labelledby="my-drills-heading" data-testid="my-drills">
      <h2 id="my-drills-heading">{t('drills.home.householdHeading')}</h2>
      <ul class="plain card-stack">
        {items.map((item) => (
          <li key={item.drill.id} class={`card my-drill kind-${item.drill.kind}`}>
            <p>
              <KindBadge kind={item.drill.kind} /> <strong>{item.drill.title}</strong>
            </p>
            {item.answer ? (
              <p>
                {t('drills.prompt.answered', { time: formatTime(item.answer.at) })} <SafetyChip status={item.answer.status} />{' '}
                {t(`drills.where.${item.answer.where}`)}
              </p>
            ) : (
              <p class="not-answered">{t('drills.home.notAnswered')}</p>
            )}
            <Link href={`/drills/${item.drill.id}/answer`} class={item.answer ? 'button secondary' : 'button primary'}>
              {item.answer ? t('drills.prompt.change') : t('drills.home.answer')}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** For 班長 and officers: active confirmations with links to the visit list and the dashboard. */
export function ActiveDrillsSection() {
  const session = useRequiredSession();
  const list = useAsync((signal) => api.drills(signal), []);
  const refetch = useDebounced(() => list.reload(), 300);
  useSocketEvent('drill:started', () => refetch());
  useSocketEvent('drill:ended', () => refetch());
  useSocketEvent('drill:updated', () => refetch());
  useSocketReconnect(() => list.reload());
  const active = (list.data?.items ?? []).filter((d) => d.status === 'active');
  if (list.error) return <ErrorAlert error={list.error} />;
  if (!list.data) return session.roles.officer ? <Loading /> : null;
  if (active.length === 0 && !session.roles.officer) return null;
  return (
    <section class="section" aria-labelledby="active-drills-heading" data-testid="active-drills">
      <h2 id="active-drills-heading">{t('drills.home.activeHeading')}</h2>
      {active.length === 0 && <p class="muted">{t('drills.home.noneActive')}</p>}
      <ul class="plain card-stack">
        {active.map((drill) => (
          <li key={drill.id} class={`card active-drill kind-${drill.kind}`} data-testid="active-drill">
            <p>
              <KindBadge kind={drill.kind} /> <strong class="active-drill-title">{drill.title}</strong>
            </p>
            <p>
              {t('drills.accountedOf', { accounted: drill.accounted, total: drill.total })}{' '}
              <span class="muted">
                {paren(joinParts([t('drills.startedAt', { date: formatShortDateTime(drill.startedAt) }), t('drills.deadlineAt', { date: formatTime(drill.deadlineAt) })]))}
              </span>
            </p>
            <p class="actions">
              <Link href={`/drills/${drill.id}/tasks`} class="button primary">
                {t('drills.home.tasks')}
              </Link>
              <Link href={`/drills/${drill.id}`} class="button secondary">
                {t('drills.home.dashboard')}
              </Link>
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
