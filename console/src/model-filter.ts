// The models page's filters and sorting, kept in the page's URL query so a filtered list is a link:
// ?q=mini&out=image,audio&params=tools,seed&provider=openai&pmin=0&pmax=5&cmin=128&sort=price-asc&page=2
// Output modalities match as the API's `output_modalities` does (any listed one), parameters as its
// `supported_parameters` (all listed ones). Prices are per million input tokens, context in thousands of tokens.
// No imports: the unit test (test/console/model-filter.test.ts) loads this file as is.

export interface ListedModel {
  id: string;
  name: string;
  created: number;
  description: string;
  context_length: number;
  architecture: { input_modalities: string[]; output_modalities: string[] };
  pricing: Record<string, string>;
  supported_parameters: string[];
  expiration_date: string | null;
}

/** from GET /v1/models/providers: who serves a model, and its best recent throughput (tokens/s, p50) */
export interface ModelExtra {
  providers: Set<string>;
  throughput: number | null;
}

export const OUTPUTS = ['text', 'image', 'audio', 'embeddings'] as const;

export const SORTS = {
  newest: 'Newest first',
  'price-asc': 'Price: low to high',
  'price-desc': 'Price: high to low',
  'context-desc': 'Context: largest first',
  'throughput-desc': 'Throughput: fastest first',
  name: 'Name: A to Z',
} as const;
export type SortKey = keyof typeof SORTS;

export interface ModelFilters {
  q: string;
  out: string[];
  params: string[];
  provider: string;
  /** input price per 1M tokens, USD */
  pmin: number | null;
  pmax: number | null;
  /** context, thousands of tokens */
  cmin: number | null;
  cmax: number | null;
  sort: SortKey;
  /** 1-based */
  page: number;
}

const list = (v: string | null) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function num(v: string | null): number | null {
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

export function filtersFromQuery(q: URLSearchParams): ModelFilters {
  const sort = q.get('sort') ?? 'newest';
  const page = Number(q.get('page'));
  return {
    q: q.get('q') ?? '',
    out: list(q.get('out')).filter((o) => (OUTPUTS as readonly string[]).includes(o)),
    params: list(q.get('params')),
    provider: q.get('provider') ?? '',
    pmin: num(q.get('pmin')),
    pmax: num(q.get('pmax')),
    cmin: num(q.get('cmin')),
    cmax: num(q.get('cmax')),
    sort: sort in SORTS ? (sort as SortKey) : 'newest',
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

/** the query entries for `changes` (empty ones removed from the URL); any change but the page's goes to page 1 */
export function filterQuery(changes: Partial<ModelFilters>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(changes)) {
    if (Array.isArray(v)) out[k] = v.length ? v.join(',') : null;
    else if (v === null || v === undefined || v === '') out[k] = null;
    else out[k] = String(v);
  }
  if (out.sort === 'newest') out.sort = null;
  if (!('page' in changes)) out.page = null;
  else if (out.page === '1') out.page = null;
  return out;
}

/** USD per 1M tokens from a per-token decimal string (NaN when absent) */
export function pricePerMillion(p: string | undefined): number {
  if (p === undefined || p === '') return NaN;
  return Math.round(Number(p) * 1e12) / 1e6;
}

function matchesText(m: ListedModel, words: string[]): boolean {
  if (!words.length) return true;
  const hay = `${m.id} ${m.name}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function applyFilters(
  models: ListedModel[],
  f: ModelFilters,
  extra: Map<string, ModelExtra> | null,
): ListedModel[] {
  const words = f.q.toLowerCase().split(/\s+/).filter(Boolean);
  const out = f.out.length ? new Set(f.out) : null;
  const result = models.filter((m) => {
    if (!matchesText(m, words)) return false;
    if (out && !m.architecture.output_modalities.some((o) => out.has(o))) return false;
    if (!f.params.every((p) => m.supported_parameters.includes(p))) return false;
    if (f.provider && extra && !extra.get(m.id)?.providers.has(f.provider)) return false;
    const price = pricePerMillion(m.pricing.prompt);
    if (f.pmin !== null && !(price >= f.pmin)) return false;
    if (f.pmax !== null && !(price <= f.pmax)) return false;
    const ctxK = m.context_length / 1000;
    if (f.cmin !== null && !(ctxK >= f.cmin)) return false;
    if (f.cmax !== null && !(ctxK <= f.cmax)) return false;
    return true;
  });
  const price = (m: ListedModel) => pricePerMillion(m.pricing.prompt) || 0;
  const price2 = (m: ListedModel) => pricePerMillion(m.pricing.completion) || 0;
  const tps = (m: ListedModel) => extra?.get(m.id)?.throughput ?? -1;
  const byName = (a: ListedModel, b: ListedModel) => a.name.localeCompare(b.name);
  const cmp: Record<SortKey, (a: ListedModel, b: ListedModel) => number> = {
    newest: (a, b) => b.created - a.created || byName(a, b),
    'price-asc': (a, b) => price(a) - price(b) || price2(a) - price2(b) || byName(a, b),
    'price-desc': (a, b) => price(b) - price(a) || price2(b) - price2(a) || byName(a, b),
    'context-desc': (a, b) => b.context_length - a.context_length || byName(a, b),
    // models without recent traffic (no measured throughput) last
    'throughput-desc': (a, b) => tps(b) - tps(a) || byName(a, b),
    name: byName,
  };
  return result.sort(cmp[f.sort]);
}

/** every supported parameter with how many models have it, most common first */
export function parameterCounts(models: ListedModel[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const m of models) for (const p of m.supported_parameters) counts.set(p, (counts.get(p) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
