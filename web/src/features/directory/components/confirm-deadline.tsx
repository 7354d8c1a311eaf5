import type { EditorService } from '../../../../../server/src/contracts/directory.js';
import { formatCalendarDay } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';

/** 「確認期限：2027年1月15日（あと12日）」 of an entry due soon, or its passed deadline once stale; nothing otherwise. */
export function ConfirmDeadline({ service: s }: { service: Pick<EditorService, 'confirmBy' | 'daysLeft' | 'dueSoon' | 'stale'> }) {
  if (!s.dueSoon && !s.stale) return null;
  const date = formatCalendarDay(s.confirmBy, { dateStyle: 'long' });
  return (
    <p data-testid="confirm-deadline">
      <strong>{s.stale ? t('directory.reminder.past', { date }) : t('directory.reminder.deadline', { date, days: s.daysLeft })}</strong>
    </p>
  );
}
