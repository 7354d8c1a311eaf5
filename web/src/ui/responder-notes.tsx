import { t } from '../lib/i18n.js';

/** What the household asked responders to know ("hard of hearing", "key with the neighbour"), when it said anything. */
export function ResponderNotes({ notes, class: className = 'notes' }: { notes: string | null | undefined; class?: string }) {
  if (!notes) return null;
  return (
    <p class={className}>
      <strong>{t('household.responderNotes')}:</strong> {notes}
    </p>
  );
}
