// Numbers as people read them: money in dollars (prices per million tokens, as providers list them), token
// counts with K/M, latencies in ms or s. The API sends prices as decimal strings in USD per token.

const grouped = new Intl.NumberFormat('en-US');

/** "$2.50", "$0.0015", "$0" (small amounts keep their significant digits, never a misleading "$0.00") */
export function formatUsd(v: number | string | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) return '—';
  if (n === 0) return '$0';
  const abs = Math.abs(n);
  const sign = n < 0 ? '-$' : '$';
  if (abs < 0.000001) return n < 0 ? '-<$0.000001' : '<$0.000001';
  if (abs >= 1) return sign + abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // at least cents: "$0.70", "$0.035", "$0.000125"
  const t = abs.toFixed(abs >= 0.01 ? 4 : 6).replace(/0+$/, '');
  return sign + (/\.\d$/.test(t) ? t + '0' : t.endsWith('.') ? t + '00' : t);
}

/** a per-token price string → its price per million tokens (a number; NaN when absent) */
export function perMillion(price: string | number | null | undefined): number {
  if (price === null || price === undefined || price === '') return NaN;
  // scaled in decimal by moving the point: 0.0000025 × 1e6 in floating point is 2.4999999999999996
  return Math.round(Number(price) * 1e6 * 1e6) / 1e6;
}

/** "$2.50" (per 1M tokens), or "free" for 0 */
export function formatPerMillion(price: string | number | null | undefined): string {
  const n = perMillion(price);
  if (Number.isNaN(n)) return '—';
  if (n === 0) return 'free';
  return formatUsd(n);
}

/** 1234 → "1,234" */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : grouped.format(n);
}

/** 128000 → "128K", 1048576 → "1.05M", 950 → "950" */
export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n >= 1e6) return `${+(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}K`;
  return String(n);
}

/** 0.9987 → "99.9%" */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '—' : `${(ratio * 100).toFixed(digits)}%`;
}

/** 850 → "850 ms", 2300 → "2.3 s" */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${+(ms / 1000).toFixed(1)} s`;
}

/** a unix time in seconds or an ISO string → "2026-12-05" */
export function formatDate(v: number | string | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v);
  return Number.isNaN(d.getTime()) ? '—' : d.toISOString().slice(0, 10);
}
