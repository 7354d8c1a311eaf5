import { api } from '../../../lib/api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { formatDateTime } from '../../../lib/format.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';

/** /watch/access-log (officers): who looked at which home's watch data. */
export function WatchAccessLogPage() {
  useTitle(t('watch.accessLog.title'));
  const log = useAsync((signal) => api.watchAccessLog(signal), []);
  return (
    <div class="stack">
      <p>
        <Link href="/watch">{t('watch.backToWatch')}</Link>
      </p>
      <PageHeading>{t('watch.accessLog.title')}</PageHeading>
      <p class="lead">{t('watch.accessLog.intro')}</p>
      {log.error ? <ErrorAlert error={log.error} /> : null}
      {log.loading && !log.data && <Loading />}
      {log.data && log.data.items.length === 0 && <p class="muted">{t('watch.accessLog.empty')}</p>}
      {log.data && log.data.items.length > 0 && (
        <div class="table-wrap">
          <table class="stacked" data-testid="access-log">
            <thead>
              <tr>
                <th scope="col">{t('watch.accessLog.at')}</th>
                <th scope="col">{t('watch.accessLog.person')}</th>
                <th scope="col">{t('watch.accessLog.household')}</th>
                <th scope="col">{t('watch.accessLog.what')}</th>
              </tr>
            </thead>
            <tbody>
              {log.data.items.map((entry, index) => (
                <tr key={index} data-testid="access-log-row">
                  <td data-label={t('watch.accessLog.at')}>{formatDateTime(entry.at)}</td>
                  <td data-label={t('watch.accessLog.person')}>{entry.personName ?? t('watch.accessLog.unknownPerson')}</td>
                  <td data-label={t('watch.accessLog.household')}>{entry.householdName}</td>
                  <td data-label={t('watch.accessLog.what')}>{accessWhat(entry.what)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function accessWhat(what: string): string {
  const key = `watch.accessLog.whats.${what}`;
  const label = t(key);
  return label === key ? what : label;
}
