import type { BlockReadiness } from '../../../../../server/src/contracts/readiness.js';
import { Bar, percent } from '../../../ui/bar.js';
import { DataTable } from '../../../ui/data-table.js';
import { paren } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { FoldedHouseholds } from './reach-households.js';

/** Holders of a role, each marked with whether they have a way in (a login or push). */
export function Holders({ holders }: { holders: { personId: string; name: string; reachable: boolean }[] }) {
  if (holders.length === 0) return <span class="warn-num">{t('readiness.nobodyAssigned')}</span>;
  return (
    <ul class="plain-list">
      {holders.map((h) => (
        <li key={h.personId} data-reachable={String(h.reachable)}>
          {h.name} {paren(t(h.reachable ? 'readiness.hasLogin' : 'readiness.noLogin'))}
        </li>
      ))}
    </ul>
  );
}

/** Per 班: registered homes, speakers online, homes paper alone reaches, homes nobody reaches, the 班長. */
export function BlockReadinessTable({ blocks }: { blocks: BlockReadiness[] }) {
  return (
    <>
      <DataTable
        class="stacked by-block"
        testid="readiness-blocks"
        rows={blocks}
        rowKey={(b) => b.id}
        rowProps={(b) => ({ 'data-testid': 'readiness-block', 'data-block': b.name })}
        columns={[
          { label: t('blocks.title'), rowHeader: true, cell: (b) => b.name },
          {
            label: t('readiness.registered'),
            cell: (b) => (
              <span class="rate-cell">
                <span class="num" data-testid="registered">
                  {b.registered} / {b.households}
                  {paren(t('readiness.percent', { percent: percent(b.registered, b.households) }))}
                </span>
                <Bar value={b.registered} max={b.households} />
              </span>
            ),
          },
          { label: t('readiness.speakersOnline'), class: 'num', cell: (b) => b.speakersOnline },
          { label: t('readiness.paperOnly'), class: 'num', cell: (b) => b.paperOnly.length },
          { label: t('readiness.nobody'), class: (b) => (b.nobody.length ? 'num danger-num' : 'num'), cell: (b) => b.nobody.length },
          { label: t('readiness.captains'), class: (b) => (b.captainGap ? 'warn-num' : ''), cell: (b) => <Holders holders={b.captains} /> },
        ]}
      />
      {blocks.map((b) => (
        <FoldedHouseholds key={b.id} summary={t('readiness.paperOnlyHomes', { block: b.name, count: b.paperOnly.length })} homes={b.paperOnly} />
      ))}
    </>
  );
}
