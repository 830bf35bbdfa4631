// One model (issue 17 item 3): GET /v1/models/{author}/{slug} for its description, modalities, parameters and
// prices, GET …/endpoints for every provider serving it with its prices, limits and live health; code samples
// (curl, the OpenAI SDKs for TypeScript and Python) naming this server and the model, and a playground link.
// Everything from the server is rendered as text.
import { useApi } from '../api';
import { CodeBlock, CopyButton } from '../components/copy';
import { ErrorState, Loading } from '../components/states';
import { DataTable, type Column } from '../components/table';
import { formatDate, formatMs, formatPerMillion, formatTokens, formatUsd } from '../format';
import type { ListedModel } from '../model-filter';
import { href, useTitle } from '../router';
import type { PageProps } from '../routes';

interface Percentiles {
  p50: number;
  p75: number;
  p90: number;
  p99: number;
}

export interface Endpoint {
  name: string;
  provider_name: string;
  tag: string;
  provider_model: string;
  context_length: number;
  max_completion_tokens: number | null;
  quantization: string | null;
  is_free: boolean;
  pricing: Record<string, string>;
  status: number;
  uptime_last_30m: number | null;
  uptime_last_1d: number | null;
  latency_last_30m: Percentiles | null;
  throughput_last_30m: Percentiles | null;
  circuit: 'closed' | 'open' | 'half_open';
}

/** price fields other than input/output: [field, label, unit] */
const OTHER_PRICES: [string, string, 'M' | 'each'][] = [
  ['input_cache_read', 'Cache read', 'M'],
  ['input_cache_write', 'Cache write', 'M'],
  ['internal_reasoning', 'Reasoning', 'M'],
  ['request', 'Per request', 'each'],
  ['image', 'Per image', 'each'],
  ['web_search', 'Per web search', 'each'],
];

function price(p: Record<string, string>, field: string, unit: 'M' | 'each'): string {
  return unit === 'M' ? formatPerMillion(p[field]) : Number(p[field]) === 0 ? 'free' : formatUsd(p[field]);
}

function otherPrices(p: Record<string, string>): string {
  const parts = OTHER_PRICES.filter(([f]) => Number(p[f]) > 0).map(
    ([f, label, unit]) => `${label} ${price(p, f, unit)}${unit === 'M' ? '/M' : ''}`,
  );
  return parts.length ? parts.join(' · ') : '—';
}

const CIRCUIT: Record<Endpoint['circuit'], string> = {
  closed: 'Closed (healthy)',
  half_open: 'Half-open (probing)',
  open: 'Open (skipped)',
};

export function samples(id: string, base: string): { label: string; code: string }[] {
  return [
    {
      label: 'curl',
      code: `curl ${base}/chat/completions \\
  -H "Authorization: Bearer $AROUTER_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '${JSON.stringify({ model: id, messages: [{ role: 'user', content: 'Hello!' }] })}'`,
    },
    {
      label: 'OpenAI SDK (TypeScript)',
      code: `import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: '${base}',
  apiKey: process.env.AROUTER_API_KEY,
});

const completion = await client.chat.completions.create({
  model: '${id}',
  messages: [{ role: 'user', content: 'Hello!' }],
});
console.log(completion.choices[0].message.content);`,
    },
    {
      label: 'OpenAI SDK (Python)',
      code: `import os
from openai import OpenAI

client = OpenAI(
    base_url="${base}",
    api_key=os.environ["AROUTER_API_KEY"],
)

completion = client.chat.completions.create(
    model="${id}",
    messages=[{"role": "user", "content": "Hello!"}],
)
print(completion.choices[0].message.content)`,
    },
  ];
}

export default function ModelPage({ params }: PageProps) {
  const id = `${params.author}/${params.slug}`;
  useTitle(id);
  const path = `/v1/models/${encodeURIComponent(params.author)}/${encodeURIComponent(params.slug)}`;
  const model = useApi<{ data: ListedModel & { top_provider: { max_completion_tokens: number | null } } }>(path);
  const eps = useApi<{ data: { endpoints: Endpoint[] } }>(path + '/endpoints');

  if (model.loading) return <Loading label="Loading the model…" />;
  if (model.error || !model.data)
    return (
      <section class="page">
        <p>
          <a href={href('/models')}>← All models</a>
        </p>
        <ErrorState error={model.error ?? 'No answer'} onRetry={model.reload} title={`${id} could not be loaded`} />
      </section>
    );
  const m = model.data.data;
  const base = `${location.origin}/v1`;
  const columns: Column<Endpoint>[] = [
    {
      key: 'provider',
      header: 'Provider',
      cell: (e) => (
        <>
          {e.provider_name}
          {e.is_free && <span class="badge">free</span>}
          <div class="model-sub">
            <code>{e.provider_model}</code>
          </div>
        </>
      ),
    },
    { key: 'in', header: 'Input / 1M', numeric: true, cell: (e) => formatPerMillion(e.pricing.prompt) },
    { key: 'out', header: 'Output / 1M', numeric: true, cell: (e) => formatPerMillion(e.pricing.completion) },
    { key: 'other', header: 'Other prices', cell: (e) => otherPrices(e.pricing) },
    { key: 'ctx', header: 'Context', numeric: true, cell: (e) => formatTokens(e.context_length) },
    { key: 'max', header: 'Max output', numeric: true, cell: (e) => formatTokens(e.max_completion_tokens) },
    { key: 'quant', header: 'Quantization', cell: (e) => e.quantization ?? '—' },
    {
      key: 'uptime',
      header: 'Uptime (30 min)',
      numeric: true,
      cell: (e) => (e.uptime_last_30m === null ? 'no traffic' : `${e.uptime_last_30m}%`),
    },
    {
      key: 'latency',
      header: 'Latency p50',
      numeric: true,
      cell: (e) => (e.latency_last_30m ? formatMs(e.latency_last_30m.p50) : '—'),
    },
    {
      key: 'tps',
      header: 'Throughput p50',
      numeric: true,
      cell: (e) => (e.throughput_last_30m ? `${Math.round(e.throughput_last_30m.p50)} tok/s` : '—'),
    },
    {
      key: 'circuit',
      header: 'Circuit',
      cell: (e) => <span class={`circuit circuit-${e.circuit}`}>{CIRCUIT[e.circuit] ?? e.circuit}</span>,
    },
  ];

  return (
    <section class="page model-page">
      <p>
        <a href={href('/models')}>← All models</a>
      </p>
      <div class="model-head">
        <div>
          <h1>{m.name}</h1>
          <p class="model-id">
            <code>{m.id}</code> <CopyButton text={m.id} label="Copy model id" />
          </p>
        </div>
        <a class="btn btn-primary" href={href('/playground', { model: m.id })}>
          Try in playground
        </a>
      </div>
      {m.expiration_date && (
        <p class="notice" role="note">
          Deprecated: this model is served until {m.expiration_date}.
        </p>
      )}
      <p class="description">{m.description || 'No description.'}</p>
      <dl class="facts">
        <div>
          <dt>Context</dt>
          <dd>{formatTokens(m.context_length)} tokens</dd>
        </div>
        <div>
          <dt>Max output</dt>
          <dd>{formatTokens(m.top_provider.max_completion_tokens)} tokens</dd>
        </div>
        <div>
          <dt>Input</dt>
          <dd>{m.architecture.input_modalities.join(', ')}</dd>
        </div>
        <div>
          <dt>Output</dt>
          <dd>{m.architecture.output_modalities.join(', ')}</dd>
        </div>
        <div>
          <dt>Added</dt>
          <dd>{formatDate(m.created)}</dd>
        </div>
      </dl>

      <h2>Pricing</h2>
      <dl class="facts prices">
        <div>
          <dt>Input</dt>
          <dd>{formatPerMillion(m.pricing.prompt)} / 1M tokens</dd>
        </div>
        <div>
          <dt>Output</dt>
          <dd>{formatPerMillion(m.pricing.completion)} / 1M tokens</dd>
        </div>
        {OTHER_PRICES.filter(([f]) => Number(m.pricing[f]) > 0).map(([f, label, unit]) => (
          <div key={f}>
            <dt>{label}</dt>
            <dd>
              {price(m.pricing, f, unit)}
              {unit === 'M' ? ' / 1M tokens' : ''}
            </dd>
          </div>
        ))}
      </dl>

      <h2>Supported parameters</h2>
      {m.supported_parameters.length ? (
        <ul class="chips" aria-label="Supported parameters">
          {m.supported_parameters.map((p) => (
            <li key={p}>
              <code>{p}</code>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">None listed.</p>
      )}

      <h2>Providers</h2>
      {eps.loading && <Loading label="Loading endpoints…" />}
      {eps.error && <ErrorState error={eps.error} onRetry={eps.reload} title="The endpoints could not be loaded" />}
      {eps.data && (
        <DataTable
          caption={`Endpoints serving ${m.id}`}
          class="endpoints-table"
          rows={eps.data.data.endpoints}
          rowKey={(e) => e.tag + e.provider_model}
          columns={columns}
          empty="No provider enabled for this key serves this model."
        />
      )}

      <h2>Use it</h2>
      <p class="muted">
        Set <code>AROUTER_API_KEY</code> to your key. The base URL is this server's: <code>{base}</code>.
      </p>
      {samples(m.id, base).map((s) => (
        <CodeBlock key={s.label} label={s.label} code={s.code} />
      ))}
    </section>
  );
}
