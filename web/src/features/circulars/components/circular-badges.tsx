import type { ResourceOptions } from '../../../lib/use-resource.js';
import type { Category, CircularSummary, Question } from '../../../../../server/src/contracts/circulars.js';
import { type CircularStatus } from '../../../lib/api.js';
import { formatMonthDay } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { percent, Bar } from '../../../ui/bar.js';
import { StateChip } from '../../../ui/state-chip.js';

/** Shared pieces of the circular (回覧板) pages. */

export const CATEGORIES: Category[] = ['notice', 'event', 'disaster', 'garbage', 'safety', 'other'];
export const STATUSES: CircularStatus[] = ['draft', 'scheduled', 'published', 'withdrawn'];

export function CategoryChip({ category }: { category: Category }) {
  return <span class={`chip chip-${category}`}>{t(`circulars.categories.${category}`)}</span>;
}

export function StatusBadge({ status }: { status: CircularStatus }) {
  return <StateChip class={`status-chip status-${status}`} value={status} label={t(`circulars.statuses.${status}`)} />;
}

export function CorrectedBadge() {
  return <span class="chip chip-corrected">{t('circulars.corrected')}</span>;
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

/** Lists of circulars refetch when one is published, corrected, withdrawn or read. */
export const CIRCULAR_LIST_REFRESH: ResourceOptions = { events: ['circular:published', 'circular:updated', 'circular:acknowledged'] };
