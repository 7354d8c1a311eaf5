import { useEffect, useState } from 'preact/hooks';
import { api } from '../../../lib/api.js';
import { LoadState } from '../../../ui/alerts.js';
import { ChannelList } from '../../../ui/channels.js';
import { DataTable } from '../../../ui/data-table.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SelectField } from '../../../ui/fields.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { ROSTER_REFRESH, useResource } from '../../../lib/use-resource.js';

/**
 * A 班長's round: the homes of their 班 nobody can reach through the app yet, with the
 * members' phones, and the way to print their invitation letters. Officers choose any 班.
 */
export function UnregisteredPage({ search }: { search: URLSearchParams }) {
  useTitle(t('unregistered.title'));
  const blocks = useAsync(() => api.blocks(), []);
  const items = blocks.data?.items ?? [];
  const blockId = search.get('blockId') ?? '';
  useEffect(() => {
    if (!blockId && items[0]) navigate(`/unregistered?blockId=${items[0].id}`, { replace: true });
  }, [blockId, items.length]);
  const [chosen, setChosen] = useState(blockId);
  useEffect(() => setChosen(blockId), [blockId]);
  const list = useResource((signal) => (blockId ? api.unregistered(blockId, signal) : Promise.resolve(null)), { deps: [blockId], ...ROSTER_REFRESH, debounceMs: 500 });

  return (
    <div class="stack">
      <PageHeading>{t('unregistered.title')}</PageHeading>
      <p>{t('unregistered.intro')}</p>
      <LoadState state={blocks} />
      {items.length > 1 && (
        <SelectField
          id="unregistered-block"
          label={t('passcodes.block')}
          value={chosen}
          onValue={(id) => navigate(`/unregistered?blockId=${id}`)}
          options={items.map((b) => ({ value: b.id, label: b.name }))}
        />
      )}
      <LoadState state={list} />
      {list.data && (
        <>
          <p role="status" data-testid="unregistered-count">
            {t('unregistered.count', { block: list.data.block.name, count: list.data.items.length, total: list.data.householdCount })}
          </p>
          {list.data.items.length > 0 && (
            <p class="actions">
              <Link href={`/letters?blockId=${list.data.block.id}`} class="button primary" data-testid="print-letters-link">
                {t('unregistered.printLetters')}
              </Link>
            </p>
          )}
          {list.data.items.length === 0 ? (
            <p>{t('unregistered.none')}</p>
          ) : (
            <DataTable
              rows={list.data.items}
              rowKey={(h) => h.householdId}
              rowProps={() => ({ 'data-testid': 'unregistered-row' })}
              columns={[
                { label: t('household.number'), cell: (h) => h.householdNumber },
                { label: t('household.name'), cell: (h) => <Link href={`/households/${h.householdId}`}>{h.householdName}</Link> },
                { label: t('household.address'), cell: (h) => h.address },
                {
                  label: t('unregistered.phones'),
                  cell: (h) =>
                    h.members.length === 0 ? (
                      <span class="muted">{t('household.noMembers')}</span>
                    ) : (
                      <ul class="plain">
                        {h.members.map((m, i) => (
                          <li key={i}>
                            {m.name} {m.phone ? <a href={`tel:${m.phone}`}>{m.phone}</a> : <span class="muted">—</span>}
                          </li>
                        ))}
                      </ul>
                    ),
                },
                { label: t('household.channels'), cell: (h) => <ChannelList channels={h.channels} /> },
              ]}
            />
          )}
        </>
      )}
    </div>
  );
}
