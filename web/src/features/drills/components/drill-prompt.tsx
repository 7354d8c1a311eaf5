import { useEffect, useRef, useState } from 'preact/hooks';
import type { MyDrill } from '../../../../../server/src/contracts/drills.js';
import { api } from '../../../lib/api.js';
import { t } from '../../../lib/i18n.js';
import { useLocation } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSocketEvent } from '../../../lib/socket.js';
import { useAnswered, AnswerPanel } from './answer-panel.js';
import { KindBadge } from './drill-badges.js';
import { useResource } from '../../../lib/use-resource.js';
import { withMyDrill } from './drill-list-refresh.js';

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
  const mine = useResource((signal) => (householdId ? api.myDrills(signal) : Promise.resolve({ items: [] as MyDrill[] })), {
    deps: [householdId],
    events: ['drill:ended', 'drill:updated'],
    filter: { 'drill:updated': (event) => event.householdId === householdId },
    debounceMs: 300,
  });
  const [openId, setOpenId] = useState<string | null>(null);
  const [later, setLater] = useState<string[]>([]);
  useAnswered((next) => mine.setData(withMyDrill(next)));
  // A new confirmation is asked at once, not after the debounce.
  useSocketEvent('drill:started', () => mine.reload());

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
