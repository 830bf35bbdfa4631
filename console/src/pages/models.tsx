// The models list (issue 17 item 3): every model this key may use (GET /v1/models?output_modalities=all), with
// who serves it and how fast (GET /v1/models/providers), searched, filtered and sorted in the browser (a few
// hundred models filter in well under a frame) and shown a page of PAGE_SIZE at a time. The whole filter state is
// the URL's query (model-filter.ts): a filtered list is a link.
import { useEffect, useMemo } from 'preact/hooks';
import { useApi } from '../api';
import { CheckboxField, SelectField, TextField, NumberField } from '../components/field';
import { ErrorState, Loading } from '../components/states';
import { DataTable, type Column } from '../components/table';
import { formatPerMillion, formatTokens } from '../format';
import {
  OUTPUTS,
  SORTS,
  applyFilters,
  filterQuery,
  filtersFromQuery,
  parameterCounts,
  type ListedModel,
  type ModelExtra,
  type ModelFilters,
  type SortKey,
} from '../model-filter';
import { href, modelPath, navigate, setQuery } from '../router';
import type { PageProps } from '../routes';

const PAGE_SIZE = 50;

export interface ProvidersAnswer {
  data: {
    id: string;
    endpoints: { provider: string; provider_name: string; throughput_last_30m: { p50: number } | null }[];
  }[];
}

const set = (changes: Partial<ModelFilters>) => setQuery(filterQuery(changes));
/** a number field's text as typed (`1.` stays `1.`), parsed by filtersFromQuery */
const setRaw = (name: string) => (v: string) => setQuery({ [name]: v, page: null });

export default function ModelsPage({ query }: PageProps) {
  const models = useApi<{ data: ListedModel[] }>('/v1/models?output_modalities=all');
  const served = useApi<ProvidersAnswer>('/v1/models/providers');
  const qs = query.toString();
  const f = useMemo(() => filtersFromQuery(query), [qs]);

  const extra = useMemo(() => {
    if (!served.data) return null;
    const map = new Map<string, ModelExtra>();
    for (const m of served.data.data) {
      let best: number | null = null;
      for (const e of m.endpoints) {
        const t = e.throughput_last_30m?.p50;
        if (t !== undefined && (best === null || t > best)) best = t;
      }
      map.set(m.id, { providers: new Set(m.endpoints.map((e) => e.provider)), throughput: best });
    }
    return map;
  }, [served.data]);
  const providerNames = useMemo(() => {
    const names = new Map<string, string>();
    for (const m of served.data?.data ?? []) for (const e of m.endpoints) names.set(e.provider, e.provider_name);
    return names;
  }, [served.data]);

  const all = models.data?.data ?? [];
  const params = useMemo(() => parameterCounts(all), [models.data]);
  const shown = useMemo(() => applyFilters(all, f, extra), [models.data, f, extra]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const page = Math.min(f.page, pages);
  const rows = shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  useEffect(() => window.scrollTo(0, 0), [page]);

  const toggle = (list: string[], v: string, on: boolean) => (on ? [...list, v] : list.filter((x) => x !== v));
  const columns: Column<ListedModel>[] = [
    {
      key: 'model',
      header: 'Model',
      cell: (m) => (
        <>
          <a href={href(modelPath(m.id))} class="model-link">
            {m.name}
          </a>
          <div class="model-sub">
            <code>{m.id}</code>
            {m.architecture.output_modalities
              .filter((o) => o !== 'text')
              .map((o) => (
                <span key={o} class="badge">
                  {o}
                </span>
              ))}
          </div>
        </>
      ),
    },
    {
      key: 'providers',
      header: 'Providers',
      cell: (m) => {
        const ids = [...(extra?.get(m.id)?.providers ?? [])].map((p) => providerNames.get(p) ?? p);
        return ids.length ? ids.slice(0, 3).join(', ') + (ids.length > 3 ? ` +${ids.length - 3}` : '') : '—';
      },
    },
    { key: 'ctx', header: 'Context', numeric: true, cell: (m) => formatTokens(m.context_length) },
    { key: 'in', header: 'Input / 1M', numeric: true, cell: (m) => formatPerMillion(m.pricing.prompt) },
    { key: 'out', header: 'Output / 1M', numeric: true, cell: (m) => formatPerMillion(m.pricing.completion) },
    {
      key: 'tps',
      header: 'Throughput',
      numeric: true,
      cell: (m) => {
        const t = extra?.get(m.id)?.throughput;
        return t === null || t === undefined ? '—' : `${Math.round(t)} tok/s`;
      },
    },
  ];

  return (
    <section class="page models-page">
      <h1>Models</h1>
      <div class="models-layout">
        <form class="filters card" role="search" aria-label="Filter models" onSubmit={(e) => e.preventDefault()}>
          <TextField
            label="Search"
            type="search"
            value={query.get('q') ?? ''}
            onInput={setRaw('q')}
            placeholder="Name or id, e.g. gpt mini"
          />
          <SelectField
            label="Sort by"
            value={f.sort}
            options={Object.entries(SORTS).map(([value, label]) => ({ value, label }))}
            onChange={(v) => set({ sort: v as SortKey })}
            hint={
              f.sort === 'throughput-desc'
                ? 'Measured on this server over the last 30 minutes; models without traffic come last.'
                : undefined
            }
          />
          <fieldset class="fieldset">
            <legend>Output (any of)</legend>
            {OUTPUTS.map((o) => (
              <CheckboxField
                key={o}
                label={o}
                checked={f.out.includes(o)}
                onChange={(on) => set({ out: toggle(f.out, o, on) })}
              />
            ))}
          </fieldset>
          <SelectField
            label="Provider"
            value={f.provider}
            options={[
              { value: '', label: served.error ? 'Unavailable' : 'Any provider' },
              ...[...providerNames]
                .sort((a, b) => a[1].localeCompare(b[1]))
                .map(([value, label]) => ({ value, label })),
            ]}
            onChange={(v) => set({ provider: v })}
            hint={served.error ? `Providers could not be loaded: ${served.error.message}` : undefined}
          />
          <fieldset class="fieldset range">
            <legend>Input price, $ per 1M tokens</legend>
            <NumberField label="From" value={query.get('pmin') ?? ''} onInput={setRaw('pmin')} min={0} />
            <NumberField label="To" value={query.get('pmax') ?? ''} onInput={setRaw('pmax')} min={0} />
          </fieldset>
          <fieldset class="fieldset range">
            <legend>Context, thousands of tokens</legend>
            <NumberField label="At least" value={query.get('cmin') ?? ''} onInput={setRaw('cmin')} min={0} />
            <NumberField label="At most" value={query.get('cmax') ?? ''} onInput={setRaw('cmax')} min={0} />
          </fieldset>
          <details class="params" open={f.params.length > 0}>
            <summary>Supported parameters (all of){f.params.length ? ` · ${f.params.length}` : ''}</summary>
            <fieldset class="fieldset">
              <legend class="visually-hidden">Supported parameters</legend>
              {params.map(([p, n]) => (
                <CheckboxField
                  key={p}
                  label={
                    <>
                      <code>{p}</code> <span class="muted">{n}</span>
                    </>
                  }
                  checked={f.params.includes(p)}
                  onChange={(on) => set({ params: toggle(f.params, p, on) })}
                />
              ))}
            </fieldset>
          </details>
          <button type="button" class="btn" onClick={() => navigate('/models', undefined, { replace: true })}>
            Clear filters
          </button>
        </form>
        <div class="models-results">
          {models.loading && <Loading label="Loading models…" />}
          {models.error && (
            <ErrorState error={models.error} onRetry={models.reload} title="The models could not be loaded" />
          )}
          {models.data && (
            <>
              <p class="results-count" role="status" aria-live="polite">
                {shown.length === all.length ? `${all.length} models` : `${shown.length} of ${all.length} models match`}
              </p>
              <DataTable
                caption="Models"
                class="models-table"
                rows={rows}
                rowKey={(m) => m.id}
                columns={columns}
                empty="No model matches these filters."
              />
              {pages > 1 && <Pager page={page} pages={pages} />}
            </>
          )}
        </div>
      </div>
    </section>
  );
}

function Pager({ page, pages }: { page: number; pages: number }) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="btn" disabled={page <= 1} onClick={() => set({ page: page - 1 })}>
        Previous
      </button>
      <span aria-current="page">
        Page {page} of {pages}
      </span>
      <button type="button" class="btn" disabled={page >= pages} onClick={() => set({ page: page + 1 })}>
        Next
      </button>
    </nav>
  );
}
