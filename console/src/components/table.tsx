// A data table: typed columns, a caption for screen readers, numbers right-aligned, and a horizontal scroll of its
// own on narrow screens instead of stretching the page.
import type { ComponentChildren } from 'preact';

export interface Column<T> {
  /** unique within the table */
  key: string;
  header: ComponentChildren;
  cell: (row: T) => ComponentChildren;
  /** numbers: right-aligned, tabular digits */
  numeric?: boolean;
}

export function DataTable<T>({
  columns,
  rows,
  rowKey,
  caption,
  empty = 'Nothing to show.',
  class: cls,
}: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  caption: string;
  empty?: ComponentChildren;
  class?: string;
}) {
  return (
    <div class={`table-wrap ${cls ?? ''}`} tabIndex={0} role="region" aria-label={caption}>
      <table class="table">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" class={c.numeric ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="table-empty">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((r) => (
              <tr key={rowKey(r)}>
                {columns.map((c) => (
                  <td
                    key={c.key}
                    class={c.numeric ? 'num' : undefined}
                    // a narrow screen may show each row as a card, naming each value by its column (CSS attr())
                    data-label={typeof c.header === 'string' ? c.header : undefined}
                  >
                    {c.cell(r)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
