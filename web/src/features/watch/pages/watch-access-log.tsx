import { api } from '../../../lib/api.js';
import { LoadState } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { formatDateTime } from '../../../lib/format.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { BackLink } from '../../../ui/back-link.js';
import { DataTable } from '../../../ui/data-table.js';

/** /watch/access-log (officers): who looked at which home's watch data. */
export function WatchAccessLogPage() {
  useTitle(t('watch.accessLog.title'));
  const log = useAsync((signal) => api.watchAccessLog(signal), []);
  return (
    <div class="stack">
      <BackLink href="/watch">{t('watch.backToWatch')}</BackLink>
      <PageHeading>{t('watch.accessLog.title')}</PageHeading>
      <p class="lead">{t('watch.accessLog.intro')}</p>
      <LoadState state={log} />
      {log.data && log.data.items.length === 0 && <p class="muted">{t('watch.accessLog.empty')}</p>}
      {log.data && log.data.items.length > 0 && (
        <DataTable
          testid="access-log"
          rows={log.data.items}
          rowKey={(_, index) => index}
          rowProps={() => ({ 'data-testid': 'access-log-row' })}
          columns={[
            { label: t('watch.accessLog.at'), cell: (entry) => formatDateTime(entry.at) },
            { label: t('watch.accessLog.person'), cell: (entry) => entry.personName ?? t('watch.accessLog.unknownPerson') },
            { label: t('watch.accessLog.household'), cell: (entry) => entry.householdName },
            { label: t('watch.accessLog.what'), cell: (entry) => accessWhat(entry.what) },
          ]}
        />
      )}
    </div>
  );
}

function accessWhat(what: string): string {
  const key = `watch.accessLog.whats.${what}`;
  const label = t(key);
  return label === key ? what : label;
}
