import type { EditorService } from '../../../../../server/src/contracts/directory.js';
import { formatCalendarDay } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';

/**
 * 確認待ち: the association's own entries due for reconfirmation soon or stale, with their
 * organisation, its login, phone and date (and those the freshness pass already hid: 非表示中), for an officer to phone them (organisations get no push);
 * printed with the page (its print button is the page's).
 */
export function DueList({ items }: { items: EditorService[] }) {
  const due = items.filter((s) => s.editable && (s.dueSoon || s.stale || s.hiddenStale)).sort((a, b) => a.confirmBy.localeCompare(b.confirmBy));
  if (!due.length) return null;
  return (
    <section class="stack" aria-labelledby="directory-due" data-testid="directory-due">
      <h2 id="directory-due">{t('directory.due.title')}</h2>
      <p class="hint">{t('directory.due.intro')}</p>
      <table>
        <thead><tr><th>{t('directory.form.organisation')}</th><th>{t('directory.due.login')}</th><th>{t('directory.form.name')}</th><th>{t('directory.form.phone')}</th><th>{t('directory.due.confirmBy')}</th></tr></thead>
        <tbody>
          {due.map((s) => (
            <tr key={s.id}>
              <td>{s.organisation}</td>
              <td>{s.organisationLogin ?? '—'}</td>
              <td>{s.name}{s.hiddenStale ? ` (${t('directory.due.hidden')})` : s.stale ? ` (${t('directory.status.stale')})` : ''}</td>
              <td>{s.phone ? <a href={`tel:${s.phone}`}>{s.phone}</a> : '—'}</td>
              <td>{formatCalendarDay(s.confirmBy, { dateStyle: 'long' })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
