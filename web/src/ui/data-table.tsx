import type { ComponentChildren, HTMLAttributes } from 'preact';

/** One column of a DataTable: its header, and what a row shows in it. */
export interface Column<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
  testid?: string;
  /** The cell's class, or one by row (a warning colour for a non-zero count). */
  class?: string | ((row: T) => string);
  /** The cell names its row (a <th scope="row">). */
  rowHeader?: boolean;
}

/**
 * The table shell every list shares: a scrolling wrapper, one header row, and cells labelled
 * with their column so the "stacked" layout can show the header beside each value on phones.
 */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  rowProps,
  class: className = 'stacked',
  testid,
}: {
  columns: (Column<T> | false | null | undefined)[];
  rows: T[];
  rowKey: (row: T, index: number) => string | number;
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string | undefined>;
  class?: string;
  testid?: string;
}) {
  const shown = columns.filter((column): column is Column<T> => Boolean(column));
  return (
    <div class="table-wrap">
      <table class={className} data-testid={testid}>
        <thead>
          <tr>
            {shown.map((column) => (
              <th scope="col" key={column.label}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={rowKey(row, index)} {...rowProps?.(row)}>
              {shown.map((column) => {
                const Cell = column.rowHeader ? 'th' : 'td';
                return (
                  <Cell key={column.label} scope={column.rowHeader ? 'row' : undefined} class={typeof column.class === 'function' ? column.class(row) : column.class} data-label={column.label} data-testid={column.testid}>
                    {column.cell(row)}
                  </Cell>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
