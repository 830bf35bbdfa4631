// Spend per key and UTC day (spend_daily, migration 2): what a batch of generation rows adds to it, in the
// batch's transaction.
import type { Totalled } from './generation-params.js';

// Adds a batch's spend to the per-key, per-UTC-day totals (migration 2); runs in the batch's transaction.
export const UPSERT_SPEND = `INSERT INTO spend_daily (key_id, account_id, day, cost_pusd) VALUES (?, ?, ?, ?)
  ON CONFLICT (key_id, day) DO UPDATE SET cost_pusd = cost_pusd + excluded.cost_pusd`;

/** A batch's spend summed by key and UTC day (the first 10 characters of the ISO `created_at`). */
export function spendParams(rows: Totalled[]): unknown[][] {
  const byKeyDay = new Map<string, unknown[]>();
  for (const g of rows) {
    const day = g.created_at.slice(0, 10);
    const k = g.key_id + ' ' + day;
    const cur = byKeyDay.get(k);
    if (cur === undefined) byKeyDay.set(k, [g.key_id, g.account_id, day, g.cost_pusd]);
    else cur[3] = (cur[3] as bigint) + g.cost_pusd;
  }
  return [...byKeyDay.values()];
}
