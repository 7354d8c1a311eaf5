import type { ReachHousehold } from '../../../../../server/src/contracts/readiness.js';
import { DataTable } from '../../../ui/data-table.js';
import { Link } from '../../../lib/router.js';
import { t } from '../../../lib/i18n.js';

/** The households behind a gap: where to find them, and a link to each one's roster page. */
export function ReachHouseholds({ homes, testid }: { homes: ReachHousehold[]; testid?: string }) {
  return (
    <DataTable
      testid={testid}
      rows={homes}
      rowKey={(home) => home.id}
      rowProps={(home) => ({ 'data-testid': 'reach-household', 'data-number': home.householdNumber })}
      columns={[
        { label: t('readiness.household.number'), class: 'num', cell: (home) => home.householdNumber },
        { label: t('readiness.household.name'), rowHeader: true, cell: (home) => <Link href={`/households/${home.id}`}>{home.name}</Link> },
        { label: t('readiness.household.block'), cell: (home) => home.blockName },
        { label: t('readiness.household.address'), cell: (home) => home.address },
      ]}
    />
  );
}

/** A list that may be long, folded: the count in the summary, the homes inside. */
export function FoldedHouseholds({ summary, homes, testid }: { summary: string; homes: ReachHousehold[]; testid?: string }) {
  if (homes.length === 0) return null;
  return (
    <details class="reach-households">
      <summary>{summary}</summary>
      <ReachHouseholds homes={homes} testid={testid} />
    </details>
  );
}
