import { api } from '../../../lib/api.js';
import { useTitle } from '../../../lib/hooks.js';
import { Link } from '../../../lib/router.js';
import { t } from '../../../lib/i18n.js';
import { useResource } from '../../../lib/use-resource.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { DueList } from '../components/due-list.js';
import { EntryCard } from '../components/entry-card.js';
import { InviteForm } from '../components/invite-form.js';
import { SearchQr } from '../components/search-qr.js';
import { ServiceForm } from '../components/service-form.js';

/**
 * /directory (officers, the directory's editors for now): the entries serving the association,
 * with their status and freshness; its own entries due or stale listed first as 確認待ち (to phone),
 * reconfirmed, edited (every field), hidden or published; a new one added; the QR code printed.
 */
export function DirectoryPage() {
  useTitle(t('directory.editor.title'));
  const list = useResource((signal) => api.directoryServices(signal), { onReconnect: false });
  return (
    <div class="stack">
      <div class="no-print stack">
        <PageHeading>{t('directory.editor.title')}</PageHeading>
        <p class="lead">{t('directory.editor.intro')}</p>
      </div>
      {list.error ? <ErrorAlert error={list.error} /> : !list.data ? <Loading /> : (
        <>
          <DueList items={list.data.items} />
          {list.data.searchUrl && <SearchQr url={list.data.searchUrl} />}
          <button type="button" class="secondary no-print" onClick={() => window.print()}>{t('directory.qr.print')}</button>
          <p class="no-print"><Link href="/directory/history">{t('directory.history.open')}</Link></p>
          <section class="stack no-print" aria-labelledby="directory-entries">
            <h2 id="directory-entries">{t('directory.editor.entries', { area: list.data.areas.map((a) => a.name).join(' / ') })}</h2>
            {/* Due for confirmation (or stale) first: the editors see what needs reconfirming. */}
            {[...list.data.items].sort((a, b) => Number(b.dueSoon || b.stale) - Number(a.dueSoon || a.stale)).map((s) => <EntryCard key={s.id} service={s} onChanged={() => list.reload()} />)}
          </section>
          <section class="stack no-print" aria-labelledby="directory-new">
            <h2 id="directory-new">{t('directory.editor.add')}</h2>
            <ServiceForm onSaved={() => list.reload()} />
          </section>
          <section class="stack no-print" aria-labelledby="directory-invite">
            <h2 id="directory-invite">{t('directory.invite.title')}</h2>
            <p class="hint">{t('directory.invite.intro')}</p>
            <InviteForm />
          </section>
        </>
      )}
    </div>
  );
}
