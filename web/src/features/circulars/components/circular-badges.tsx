import type { Category, CircularSummary, Question } from '../../../../../server/src/contracts/circulars.js';
import { ApiError, type CircularStatus } from '../../../api.js';
import type { BlockView } from '../../../../../server/src/contracts/http.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { formatMonthDay } from '../../../lib/format.js';
import { type AsyncState } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';

/** Shared pieces of the circular (回覧板) pages. */

export const CATEGORIES: Category[] = ['notice', 'event', 'disaster', 'garbage', 'safety', 'other'];
export const STATUSES: CircularStatus[] = ['draft', 'scheduled', 'published', 'withdrawn'];

export function CategoryChip({ category }: { category: Category }) {
  return <span class={`chip chip-${category}`}>{t(`circulars.categories.${category}`)}</span>;
}

export function StatusBadge({ status }: { status: CircularStatus }) {
  return (
    <span class={`status-chip status-${status}`} data-status={status}>
      {t(`circulars.statuses.${status}`)}
    </span>
  );
}

export function CorrectedBadge() {
  return <span class="chip chip-corrected">{t('circulars.corrected')}</span>;
}

export function percent(part: number, total: number): number {
  return total > 0 ? Math.round((part / total) * 100) : 0;
}

/** A horizontal bar; the numbers are always shown next to it as text. */
export function Bar({ value, max, tone }: { value: number; max: number; tone?: 'primary' | 'answer' }) {
  const width = max > 0 ? Math.min(100, Math.max(0, (value / max) * 100)) : 0;
  return (
    <span class={`bar ${tone === 'answer' ? 'bar-answer' : ''}`} aria-hidden="true">
      <span class="bar-fill" style={{ width: `${width}%` }} />
    </span>
  );
}

/** "45/100 (45%)" and a bar. */
export function ReadRate({ acknowledged, total }: { acknowledged: number; total: number }) {
  return (
    <span class="read-rate">
      <span class="read-rate-text">{t('circulars.readRate', { acknowledged, total, percent: percent(acknowledged, total) })}</span>
      <Bar value={acknowledged} max={total} />
    </span>
  );
}

export function dueText(dueAt: string | null): string {
  return dueAt ? t('circulars.due', { date: formatMonthDay(dueAt) }) : '';
}

/** Whether a household still has to read this circular. */
export function isUnread(circular: Pick<CircularSummary, 'status' | 'acknowledgedAt'>): boolean {
  return circular.status === 'published' && !circular.acknowledgedAt;
}

/** Labels of the answer options of a question, in tally order. */
export function optionLabels(question: Question): string[] {
  switch (question.type) {
    case 'yes_no':
      return [t('circulars.answer.yes'), t('circulars.answer.no')];
    case 'attendance':
      return [t('circulars.answer.attending'), t('circulars.answer.absent')];
    default:
      return question.options;
  }
}

// ── Dates for <input type="datetime-local"> ──────────────────────────────────────────

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-30T18:00" (local time) → "2026-11-30T18:00:00+09:00"; '' → null. */
export function localToIso(local: string): string | null {
  if (!local) return null;
  const date = new Date(local);
  if (Number.isNaN(date.getTime())) return null;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** An ISO date-time → the local "YYYY-MM-DDTHH:mm" a datetime-local input shows. */
export function isoToLocal(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// ── Field errors from a 400 answer ──────────────────────────────────────────────────────

export type FieldErrors = Record<string, string[]>;

/** Collects error.field and error.issues[].field of a validation error by field path. */
export function fieldErrorsOf(error: unknown): FieldErrors {
  const result: FieldErrors = {};
  if (!(error instanceof ApiError) || error.status !== 400) return result;
  const add = (field: string, message: string) => {
    (result[field] ??= []).push(message);
  };
  for (const issue of error.issues) if (issue.field) add(issue.field, issue.message);
  if (error.field && !result[error.field]) add(error.field, error.message);
  return result;
}

/** The messages for a field and anything under it ("question.options" also takes "question.options.1"). */
export function errorsFor(errors: FieldErrors, ...fields: string[]): string[] {
  const messages: string[] = [];
  for (const [key, list] of Object.entries(errors)) {
    if (fields.some((field) => key === field || key.startsWith(`${field}.`) || key.startsWith(`${field}[`))) messages.push(...list);
  }
  return messages;
}

export function FieldError({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <p class="field-error" id={id} data-testid="field-error">
      {messages.join(' / ')}
    </p>
  );
}

/**
 * Who a circular or a safety confirmation goes to: the whole association, or chosen 班
 * (with their household counts). One field for both forms.
 */
export function BlockTargetField(props: {
  idPrefix: string;
  legend: string;
  wholeLabel: string;
  chooseLabel: string;
  wholeAssociation: boolean;
  onWholeAssociation: (whole: boolean) => void;
  selected: string[];
  onSelected: (blockIds: string[]) => void;
  blocks: AsyncState<{ items: BlockView[] }>;
  errors: string[];
}) {
  const { idPrefix: id, blocks, selected } = props;
  return (
    <fieldset class="field" aria-describedby={props.errors.length ? `${id}-target-error` : undefined}>
      <legend>{props.legend}</legend>
      <div class="check">
        <input type="radio" id={`${id}-target-all`} name={`${id}-target`} checked={props.wholeAssociation} onChange={() => props.onWholeAssociation(true)} />
        <label for={`${id}-target-all`}>{props.wholeLabel}</label>
      </div>
      <div class="check">
        <input type="radio" id={`${id}-target-blocks`} name={`${id}-target`} checked={!props.wholeAssociation} onChange={() => props.onWholeAssociation(false)} />
        <label for={`${id}-target-blocks`}>{props.chooseLabel}</label>
      </div>
      {!props.wholeAssociation && (
        <div class="block-checks" role="group" aria-label={props.chooseLabel}>
          {blocks.error ? <ErrorAlert error={blocks.error} /> : null}
          {blocks.loading && !blocks.data && <Loading />}
          {blocks.data?.items.map((block) => (
            <div class="check" key={block.id}>
              <input
                type="checkbox"
                id={`${id}-block-${block.id}`}
                checked={selected.includes(block.id)}
                onChange={(e) => props.onSelected(e.currentTarget.checked ? [...selected, block.id] : selected.filter((b) => b !== block.id))}
              />
              <label for={`${id}-block-${block.id}`}>
                {block.name} <span class="muted">{t('blocks.householdCount', { count: block.householdCount })}</span>
              </label>
            </div>
          ))}
        </div>
      )}
      <FieldError id={`${id}-target-error`} messages={props.errors} />
    </fieldset>
  );
}
