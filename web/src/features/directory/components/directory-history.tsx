import { useState } from 'preact/hooks';
import type { DirectoryHistory, DirectoryHistoryItem } from '../../../../../server/src/contracts/directory.js';
import { formatDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { useResource } from '../../../lib/use-resource.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';

export type HistoryLoader = (query: { before?: string }, signal?: AbortSignal) => Promise<DirectoryHistory>;

/** Who did it: an officer by name (to officers), 「市の担当者」 and the account, an organisation, or the daily check. */
function who(actor: DirectoryHistoryItem['actor']): string {
  switch (actor.kind) {
    case 'officer': return actor.name ? t('directory.history.by.officerNamed', { name: actor.name }) : t('directory.history.by.officer');
    // An organisation is not given the city editor's login (an email).
    case 'city_editor': return actor.login ? t('directory.history.by.cityEditor', { name: actor.name ?? '', login: actor.login }) : t('directory.history.by.city', { name: actor.name ?? '' });
    case 'organisation': return t('directory.history.by.organisation', { name: actor.name ?? '' });
    case 'deleted': return t('directory.history.by.deleted');
    default: return t('directory.history.by.system');
  }
}

/**
 * 変更履歴: the directory's audit of the entries the viewer keeps, newest first, in the zone the
 * server names (the officer's association's; otherwise the deployment's), with the fields each
 * change named in the review's labels. Older pages come one at a time (もっと見る).
 */
export function DirectoryHistoryList({ load }: { load: HistoryLoader }) {
  const first = useResource((signal) => load({}, signal), { onReconnect: false });
  const [older, setOlder] = useState<{ items: DirectoryHistoryItem[]; next: string | null } | null>(null);
  const more = useSubmit(async () => {
    const page = await load({ before: (older ?? first.data)!.next! });
    setOlder((o) => ({ items: [...(o?.items ?? []), ...page.items], next: page.next }));
  });
  if (first.error) return <ErrorAlert error={first.error} />;
  if (!first.data) return <Loading />;
  const { timeZone } = first.data;
  const items = [...first.data.items, ...(older?.items ?? [])];
  const next = older ? older.next : first.data.next;
  if (items.length === 0) return <p class="hint" data-testid="directory-history-empty">{t('directory.history.empty')}</p>;
  return (
    <div class="stack">
      <ol class="history-list" data-testid="directory-history">
        {items.map((item) => (
          <li key={item.id} class="card" data-testid="directory-history-item">
            {item.imported ? (
              <p data-testid="directory-history-imported">
                <strong>{t('directory.history.imported', { count: item.imported.rows, created: item.imported.created, updated: item.imported.updated })}</strong>
              </p>
            ) : (
              <p><strong>{item.service}</strong> — {t(`directory.history.action.${item.action}`)}</p>
            )}
            {item.fields.length > 0 && (
              <p data-testid="directory-history-fields">{t('directory.history.fields', { fields: item.fields.map((f) => t(`directory.review.field.${f}`)).join('・') })}</p>
            )}
            {item.reason && <p>{t('directory.history.reason', { reason: item.reason })}</p>}
            <p class="hint"><time dateTime={item.at}>{formatDateTime(item.at, timeZone)}</time> · {who(item.actor)}</p>
          </li>
        ))}
      </ol>
      <ErrorAlert error={more.error} />
      {next && (
        <button type="button" class="secondary" disabled={more.busy} onClick={() => void more.submit()}>{t('directory.history.more')}</button>
      )}
    </div>
  );
}
