import type { Readiness } from '../../../../../server/src/contracts/readiness.js';
import { Bar } from '../../../ui/bar.js';
import { t } from '../../../lib/i18n.js';

/**
 * Registered households per 班 at the end of each week or month (oldest first), as a table
 * whose cells carry a bar: the rate over time, readable without the bars.
 */
export function RegistrationTable({ registration, blocks }: { registration: Readiness['registration']; blocks: Readiness['blocks'] }) {
  const names = new Map(blocks.map((b) => [b.id, b]));
  const label = (start: string) => (registration.period === 'month' ? start.slice(0, 7) : start.slice(5).replace('-', '/'));
  return (
    <div class="table-wrap">
      <table class="registration-table" data-testid="registration-table">
        <caption class="muted">{t(`readiness.registration.caption.${registration.period}`)}</caption>
        <thead>
          <tr>
            <th scope="col">{t('blocks.title')}</th>
            {registration.periods.map((start) => (
              <th scope="col" key={start}>
                {label(start)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {registration.blocks.map((row) => {
            const block = names.get(row.blockId);
            return (
              <tr key={row.blockId} data-testid="registration-row" data-block={block?.name}>
                <th scope="row">{block?.name}</th>
                {row.registered.map((n, i) => (
                  <td key={registration.periods[i]} class="num">
                    {n}
                    <Bar value={n} max={block?.households ?? 0} />
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
