// One generation (#/activity/<id>, GET /v1/generation?id=): what it cost to the last digit, its tokens by kind,
// latency and time to first token, how it finished, every attempt (provider, status, duration) and the route
// explanation (the rule, the endpoint that answered, the candidates in order, the dropped ones and why), with the
// whole answer as JSON to copy.
import { useApi } from '../api';
import { CodeBlock } from '../components/copy';
import { ErrorState, Loading } from '../components/states';
import { DataTable } from '../components/table';
import { formatCount, formatMs, formatUsd } from '../format';
import type { PageProps } from '../routes';
import { href, useTitle } from '../router';
import { statusText } from './activity-data';
import type { Generation, Route } from '../generation';
import { formatTime } from './activity-table';

function Facts({ label, items }: { label: string; items: [string, preact.ComponentChildren][] }) {
  return (
    <section class="card generation-facts" aria-label={label}>
      <h2>{label}</h2>
      <dl>
        {items.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export default function GenerationPage({ params }: PageProps) {
  const id = params.id;
  useTitle(`Generation ${id}`);
  const { data, error, loading, reload } = useApi<{ data: Generation }>(`/v1/generation?id=${encodeURIComponent(id)}`);
  const g = data?.data;
  const route = g?.route?.candidates ? g.route : null;
  return (
    <section class="page generation">
      <p>
        <a href={href('/activity')}>← Activity</a>
      </p>
      <h1>Generation</h1>
      <p class="muted">
        <code>{id}</code>
      </p>
      {loading && <Loading label="Loading the generation…" />}
      {error && <ErrorState error={error} onRetry={reload} title="This generation could not be loaded" />}
      {g && (
        <>
          <div class="generation-grid">
            <Facts
              label="Request"
              items={[
                ['Time (UTC)', formatTime(g.created_at)],
                ['Model asked for', g.requested_model],
                ['Model', g.model ?? '—'],
                ['Provider', g.provider_name ?? '—'],
                ['Provider model', g.provider_model ?? '—'],
                ['Status', `${statusText(g)} (HTTP ${g.status})`],
                ['Finish reason', g.finish_reason ?? '—'],
                ['Streamed', g.streamed ? 'yes' : 'no'],
              ]}
            />
            <Facts
              label="Cost and timing"
              items={[
                ['Cost', <span title={formatUsd(g.total_cost)}>${g.total_cost_exact}</span>],
                ['Latency', formatMs(g.latency)],
                ['Time to first token', formatMs(g.time_to_first_token)],
                ['Upstream id', g.upstream_id ?? '—'],
              ]}
            />
            <Facts
              label={g.tokens_estimated ? 'Tokens (estimated)' : 'Tokens'}
              items={[
                ['Prompt', formatCount(g.tokens_prompt)],
                ['Completion', formatCount(g.tokens_completion)],
                ['Reasoning', formatCount(g.tokens_reasoning)],
                ['Cached (read)', formatCount(g.tokens_cached)],
                ['Cache write', formatCount(g.tokens_cache_write)],
              ]}
            />
          </div>

          <h2>Attempts</h2>
          <DataTable
            caption="Attempts, in order"
            rows={g.attempts.map((a, i) => ({ ...a, n: i + 1 }))}
            rowKey={(a) => String(a.n)}
            empty="No provider was tried."
            columns={[
              { key: 'n', header: '#', numeric: true, cell: (a) => a.n },
              { key: 'provider', header: 'Provider', cell: (a) => a.provider },
              { key: 'endpoint', header: 'Provider model', cell: (a) => a.endpoint },
              { key: 'status', header: 'Status', numeric: true, cell: (a) => a.status },
              { key: 'duration', header: 'Duration', numeric: true, cell: (a) => formatMs(a.duration_ms) },
              { key: 'error', header: 'Error', cell: (a) => a.error ?? '' },
            ]}
          />

          <h2>Route</h2>
          {route ? <RouteView route={route} /> : <p class="muted">No route explanation was kept for this request.</p>}
          <details class="generation-json">
            <summary>The whole answer (JSON)</summary>
            <CodeBlock label="Generation JSON" code={JSON.stringify(g, null, 2)} />
          </details>
        </>
      )}
    </section>
  );
}

function RouteView({ route }: { route: Route }) {
  const chosen = route.chosen;
  return (
    <>
      <p class="route-summary">
        Rule <strong>{route.rule ?? '—'}</strong>
        {route.requested ? (
          <>
            {' '}
            for <code>{route.requested}</code>
          </>
        ) : null}
        {route.variant ? ` (variant :${route.variant})` : ''}
        {chosen ? (
          <>
            : answered by <strong>{chosen.provider}</strong> (<code>{chosen.endpoint_model}</code>).
          </>
        ) : (
          '; no endpoint answered.'
        )}
      </p>
      <DataTable
        caption="Candidates, in the order they would be tried"
        rows={route.candidates ?? []}
        rowKey={(c) => `${c.model}|${c.provider}|${c.endpoint_model}`}
        empty="No candidate endpoint."
        columns={[
          { key: 'provider', header: 'Provider', cell: (c) => c.provider },
          { key: 'model', header: 'Model', cell: (c) => c.model },
          { key: 'endpoint', header: 'Provider model', cell: (c) => c.endpoint_model },
          { key: 'expected', header: 'Expected cost', numeric: true, cell: (c) => formatUsd(c.expected_usd) },
          { key: 'health', header: 'Health', cell: (c) => c.health },
        ]}
      />
      {route.dropped && route.dropped.length > 0 && (
        <>
          <h3>Not considered</h3>
          <DataTable
            caption="Endpoints dropped from the plan, and why"
            rows={route.dropped}
            rowKey={(d) => `${d.model}|${d.provider}|${d.endpoint_model}`}
            columns={[
              { key: 'provider', header: 'Provider', cell: (d) => d.provider },
              { key: 'endpoint', header: 'Provider model', cell: (d) => d.endpoint_model },
              { key: 'reason', header: 'Reason', cell: (d) => d.reason },
              { key: 'detail', header: 'Detail', cell: (d) => d.detail },
            ]}
          />
        </>
      )}
    </>
  );
}
