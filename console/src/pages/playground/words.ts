// The playground's pure helpers (no imports: the node tests load them as they are): the model string sent, money
// with every digit, and the planner's rule in words.

/** the `model` sent: `auto`, an id typed with its own `:variant`, or the id plus the chosen variant */
export function requestedModel(model: string, variant: string, auto: boolean): string {
  if (auto) return 'auto';
  const m = model.trim();
  return m === '' || m === 'auto' || m.includes(':') || !variant ? m : `${m}:${variant}`;
}

/** USD with every digit the server sent (picodollar precision), never rounded: "$0.0000339" */
export function exactUsd(v: number | string | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) return '—';
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return (n < 0 ? '-$' : '$') + v.replace(/^-/, '');
  // ARouter's amounts are whole picodollars: 12 decimals hold them all, without an exponent (1e-7)
  const t = Math.abs(n)
    .toFixed(12)
    .replace(/\.?0+$/, '');
  return (n < 0 ? '-$' : '$') + t;
}

/** the planner's ordering rule (src/routing/planner.ts) in words */
export function ruleWords(rule: string | undefined): string {
  if (!rule) return 'unknown';
  if (rule === 'price_weighted')
    return 'load-balanced by price: healthy endpoints drawn at random, cheaper ones more often (weight 1/price²)';
  if (rule === 'floor') return 'cheapest endpoint first (:floor)';
  if (rule === 'nitro') return 'highest measured throughput first (:nitro)';
  if (rule === 'auto') return 'auto: the best capable model, then the cheapest';
  if (rule.startsWith('order+')) return `your provider.order, then ${ruleWords(rule.slice(6))}`;
  if (rule === 'order') return 'your provider.order';
  if (rule.startsWith('sort:')) return `sorted by ${rule.slice(5)} (provider.sort)`;
  return rule;
}
