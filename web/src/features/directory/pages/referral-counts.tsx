import type { ReferralCounts } from '../../../../../server/src/contracts/referrals.js';
import { api } from '../../../lib/api.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { useResource } from '../../../lib/use-resource.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { DataTable } from '../../../ui/data-table.js';
import { PageHeading } from '../../../ui/page-heading.js';

const MONTHS = 12;

/** One margin of the counts as a table: a row per item, a column per month with any referral. */
function CountsTable({ testid, itemLabel, rows, months, withheld = [] }: { testid: string; itemLabel: string; rows: { month: string; item: string; count: number | null }[]; months: string[]; withheld?: string[] }) {
  // A withheld month's 班 are not listed at all (not even which had a referral): one row stands for them.
  const items = [...new Set(rows.map((r) => r.item))];
  if (!items.length && withheld.length) items.push(t('referrals.counts.allBlocks'));
  const shown = months.filter((m) => rows.some((r) => r.month === m) || withheld.includes(m));
  if (!items.length) return <p class="muted">{t('referrals.counts.none')}</p>;
  const cell = (item: string, month: string) => {
    if (withheld.includes(month)) return t('referrals.counts.withheld');
    const found = rows.find((r) => r.item === item && r.month === month);
    return !found ? '0' : found.count === null ? t('referrals.counts.few') : String(found.count);
  };
  return (
    <DataTable
      testid={testid}
      rows={items}
      rowKey={(item) => item}
      columns={[{ label: itemLabel, cell: (item) => item, rowHeader: true }, ...shown.map((month) => ({ label: month, cell: (item: string) => cell(item, month) }))]}
    />
  );
}

/**
 * /referrals (officers): how many households (once each) were referred to local help, per worry and per 班
 * and month, in the association's time zone; never a name or a household. 1 or 2 shows as
 * "1〜2", and a month with any "1〜2" in either table shows its 班 as 非表示 (referralPolicy.shownMonth: one table cannot be subtracted from the other); the two tables are never crossed.
 */
export function ReferralCountsPage() {
  useTitle(t('referrals.counts.title'));
  const counts = useResource((signal) => api.referralCounts(MONTHS, signal), { onReconnect: false });
  const data: ReferralCounts | undefined = counts.data;
  return (
    <div class="stack">
      <PageHeading>{t('referrals.counts.title')}</PageHeading>
      <p class="lead">{t('referrals.counts.intro', { threshold: data?.threshold ?? 3 })}</p>
      {counts.error ? <ErrorAlert error={counts.error} /> : !data ? <Loading /> : (
        <>
          <section class="stack" aria-labelledby="referrals-by-worry">
            <h2 id="referrals-by-worry">{t('referrals.counts.byWorry')}</h2>
            <CountsTable testid="referrals-by-worry" itemLabel={t('referrals.counts.worry')} months={data.months}
              rows={data.byWorry.map((r) => ({ month: r.month, item: t(`directory.worry.${r.worry}`), count: r.count }))} />
          </section>
          <section class="stack" aria-labelledby="referrals-by-block">
            <h2 id="referrals-by-block">{t('referrals.counts.byBlock')}</h2>
            <CountsTable testid="referrals-by-block" itemLabel={t('referrals.counts.block')} months={data.months}
              rows={data.byBlock.map((r) => ({ month: r.month, item: r.blockName, count: r.count }))} withheld={data.blocksWithheld} />
          </section>
          <p><a class="button secondary" href={api.referralCountsCsvUrl(MONTHS)} download data-testid="referrals-csv">{t('referrals.counts.csv')}</a></p>
        </>
      )}
    </div>
  );
}
