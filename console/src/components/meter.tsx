// How much of a limit is used: a bar for the eye and the numbers in words beside it (the bar itself is hidden from
// screen readers, which read the words). Past 80% it turns to the warning colour, at 100% the danger colour.
import type { ComponentChildren } from 'preact';

export function UsageBar({
  used,
  limit,
  children,
}: {
  used: number;
  /** null: no limit (no bar, only the words) */
  limit: number | null;
  /** the words: "$1.20 of $10" */
  children: ComponentChildren;
}) {
  const ratio = limit === null ? null : limit > 0 ? Math.min(1, used / limit) : used > 0 ? 1 : 0;
  const level = ratio === null ? '' : ratio >= 1 ? 'usage-full' : ratio >= 0.8 ? 'usage-high' : '';
  return (
    <div class={`usage ${level}`}>
      {ratio !== null && (
        <div class="usage-track" aria-hidden="true">
          <div class="usage-fill" style={{ width: `${(ratio * 100).toFixed(1)}%` }} />
        </div>
      )}
      <div class="usage-words">{children}</div>
    </div>
  );
}
