import type { Dashboard } from '../../../../../server/src/contracts/drills.js';
import { DataTable } from '../../../ui/data-table.js';
import { t } from '../../../lib/i18n.js';

/** Households answered "evacuated", per shelter they named (and "not named"), with the people living in them. */
export function ShelterHeadcount({ rows }: { rows: Dashboard['byShelter'] }) {
  if (rows.length === 0) return <p class="muted">{t('shelters.headcount.none')}</p>;
  return (
    <DataTable
      class="stacked by-shelter"
      testid="shelter-headcount"
      rows={rows}
      rowKey={(row) => row.shelterId ?? 'unnamed'}
      rowProps={(row) => ({ 'data-testid': 'shelter-headcount-row', 'data-shelter-id': row.shelterId ?? '' })}
      columns={[
        { label: t('shelters.headcount.shelter'), rowHeader: true, cell: (row) => row.name ?? t('shelters.headcount.unnamed') },
        { label: t('shelters.headcount.households'), class: 'num', testid: 'households', cell: (row) => row.households },
        { label: t('shelters.headcount.people'), class: 'num', cell: (row) => row.people },
      ]}
    />
  );
}
