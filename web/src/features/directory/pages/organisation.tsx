import { useEffect, useState } from 'preact/hooks';
import type { DirectoryAccountView } from '../../../../../server/src/contracts/directory-accounts.js';
import { api, ApiError, setCsrfToken } from '../../../lib/api.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { useSession } from '../../../lib/session.js';
import { useResource } from '../../../lib/use-resource.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { DirectorySignIn } from '../components/directory-sign-in.js';
import { OrganisationService } from '../components/organisation-service.js';
import { CityEditor } from '../components/city-editor.js';
import { DirectoryHistoryList } from '../components/directory-history.js';
import { ReviewList } from '../components/review-list.js';
import { ServiceForm } from '../components/service-form.js';

/**
 * /directory/organisation (public door, the directory's own login): an organisation keeps its
 * entries (changes wait for review; one button reconfirms), a city editor reviews the changes to
 * entries of their city and keeps the city's own entries (add, publish, hide, reconfirm, CSV). Apart from residents: its session opens nothing else.
 */
export function OrganisationPage({ code }: { code: string }) {
  useTitle(t('directory.organisation.title'));
  const { session } = useSession();
  const me = useResource((signal) => api.directoryAccount(signal), { onReconnect: false });
  const [view, setView] = useState<DirectoryAccountView | null>(null);
  const current = view ?? me.data ?? null;
  // This page's requests carry the directory session's CSRF token; the resident's comes back on leaving.
  useEffect(() => {
    if (!current) return;
    setCsrfToken(current.csrfToken);
    return () => setCsrfToken(session?.csrfToken ?? null);
  }, [current?.csrfToken, session?.csrfToken]);
  const reload = () => {
    setView(null);
    me.reload();
  };
  const signedOut = me.error instanceof ApiError && me.error.status === 401;

  return (
    <div class="stack">
      <PageHeading>{current?.organisation?.name ?? t('directory.organisation.title')}</PageHeading>
      <p class="lead">{t('directory.organisation.intro')}</p>
      {current ? (
        <>
          <p class="hint">{t('directory.organisation.signedInAs', { name: current.account.name, login: current.account.login })}</p>
          {current.account.role === 'organisation' ? (
            <>
              {/* Those due for confirmation (or already stale) first, so the reminder is at the top. */}
              {[...current.services].sort((a, b) => Number(b.dueSoon || b.stale) - Number(a.dueSoon || a.stale)).map((s) => <OrganisationService key={s.id} service={s} onChanged={reload} />)}
              <section class="stack" aria-labelledby="organisation-propose">
                <h2 id="organisation-propose">{t('directory.organisation.propose')}</h2>
                <ServiceForm organisation={current.organisation?.name ?? ''} onSaved={reload} />
              </section>
            </>
          ) : (
            <>
              <CityReview onDone={reload} />
              <CityEditor />
            </>
          )}
          <AccountHistory />
          <button type="button" class="secondary" onClick={() => void api.directoryLogout().finally(() => { setView(null); setCsrfToken(session?.csrfToken ?? null); me.reload(); })}>
            {t('directory.organisation.signOut')}
          </button>
        </>
      ) : signedOut ? (
        <DirectorySignIn initialCode={code} onSignedIn={setView} />
      ) : me.error ? <ErrorAlert error={me.error} /> : <Loading />}
    </div>
  );
}

/** 変更履歴 of the account's entries (an organisation's own, a city's), opened on demand: it is not what most visits are for. */
function AccountHistory() {
  const [open, setOpen] = useState(false);
  return (
    <section class="stack" aria-labelledby="account-history">
      <h2 id="account-history">{t('directory.history.title')}</h2>
      {open ? <DirectoryHistoryList load={api.directoryAccountHistory} /> : (
        <button type="button" class="secondary" onClick={() => setOpen(true)}>{t('directory.history.open')}</button>
      )}
    </section>
  );
}

function CityReview({ onDone }: { onDone: () => void }) {
  const queue = useResource((signal) => api.cityDirectoryReview(signal), { onReconnect: false });
  const done = () => {
    queue.reload();
    onDone();
  };
  return (
    <section class="stack" aria-labelledby="city-review">
      <h2 id="city-review">{t('directory.review.title')}</h2>
      {queue.error ? <ErrorAlert error={queue.error} /> : !queue.data ? <Loading /> : (
        <ReviewList items={queue.data.items} onDone={done} actions={{ approve: api.cityApproveDirectoryChange, reject: api.cityRejectDirectoryChange }} />
      )}
    </section>
  );
}
