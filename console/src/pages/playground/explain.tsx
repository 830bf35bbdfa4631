// After an answer: what it cost, its tokens, and why it went where it went — the generation's route explanation
// (GET /v1/generation?id=, src/http/routes/ledger.ts: `route` as POST /v1/route gives it with `chosen` = the
// endpoint that answered, and `attempts`) as a list a person reads, not JSON.
import { formatCount, formatMs } from '../../format';
import type { Usage } from './stream';
import { exactUsd, ruleWords } from './words';
import type { Generation, RouteDrop, RouteEndpoint } from '../../generation';

const HEALTH: Record<string, string> = {
  ok: 'healthy',
  recently_failing: 'failed recently',
  half_open: 'circuit half-open (probing)',
  circuit_open: 'circuit open',
};

/**
 * drops that say nothing about this request (as the x-arouter-route header leaves them out,
 * src/routing/explain.ts QUIET_REASONS): listed behind a summary so the ones a client could act on stand out
 */
const ROUTINE_DROPS = new Set(['provider_unavailable', 'paid_only', 'free_only']);

function DropList({ drops }: { drops: RouteDrop[] }) {
  return (
    <ul class="pg-list">
      {drops.map((d, i) => (
        <li key={i}>
          {endpointName(d)}: {d.detail || d.reason}
        </li>
      ))}
    </ul>
  );
}

function isChosen(chosen: RouteEndpoint | undefined, c: RouteEndpoint): boolean {
  return (
    !!chosen && chosen.provider === c.provider && chosen.endpoint_model === c.endpoint_model && chosen.model === c.model
  );
}

function endpointName(e: { provider: string; endpoint_model: string }): string {
  return `${e.provider} (${e.endpoint_model})`;
}

export function UsageSummary({ usage, exact }: { usage: Usage | null; exact: string | null }) {
  if (!usage) return <p class="muted">No usage was reported for this answer.</p>;
  const rows: Array<[string, string]> = [
    ['Cost', exact !== null ? exactUsd(exact) : exactUsd(usage.cost)],
    ['Prompt tokens', formatCount(usage.prompt_tokens)],
    ['Completion tokens', formatCount(usage.completion_tokens)],
    ['Reasoning tokens', formatCount(usage.completion_tokens_details?.reasoning_tokens ?? 0)],
    ['Cached tokens', formatCount(usage.prompt_tokens_details?.cached_tokens ?? 0)],
  ];
  return (
    <>
      <dl class="pg-usage">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {usage.estimated && <p class="muted">Token counts estimated locally: the provider reported none.</p>}
    </>
  );
}

export function RouteExplanation({ g }: { g: Generation }) {
  const r = g.route ?? {};
  const candidates = r.candidates ?? [];
  const dropped = r.dropped ?? [];
  const notable = dropped.filter((d) => !ROUTINE_DROPS.has(d.reason));
  const routine = dropped.filter((d) => ROUTINE_DROPS.has(d.reason));
  // fallback models (models[], auto): say which model each endpoint serves
  const manyModels = candidates.some((c) => c.model !== candidates[0].model);
  return (
    <div class="pg-route">
      <p>
        <strong>Asked for</strong> <code>{g.requested_model}</code>
        {g.model && (
          <>
            {' '}
            → <strong>answered by</strong> <code>{g.model}</code> at <strong>{g.provider_name}</strong>
            {g.provider_model && <span class="muted"> ({g.provider_model})</span>}
          </>
        )}
        .
      </p>
      <p>
        <strong>Why this endpoint:</strong> {ruleWords(r.rule)}.
        {r.auto && (
          <>
            {' '}
            Auto picked <code>{r.auto.chosen}</code> of {r.auto.capable} capable models ({r.auto.considered}{' '}
            considered): {r.auto.rule}.
          </>
        )}
      </p>
      {candidates.length > 0 && (
        <>
          <h4>Plan (in the order tried)</h4>
          <ol class="pg-list">
            {candidates.map((c, i) => (
              <li key={i}>
                {manyModels && (
                  <>
                    <code>{c.model}</code>{' '}
                  </>
                )}
                {endpointName(c)}: expected {exactUsd(c.expected_usd)}
                {c.throughput !== null && `, ${+c.throughput.toPrecision(3)} tok/s`}
                {c.latency_ms !== null && `, first token ~${formatMs(c.latency_ms)}`}, {HEALTH[c.health] ?? c.health}
                {isChosen(r.chosen, c) && <span class="badge pg-chosen">answered</span>}
              </li>
            ))}
          </ol>
        </>
      )}
      {dropped.length > 0 && (
        <>
          <h4>Left out</h4>
          {notable.length > 0 && <DropList drops={notable} />}
          {routine.length > 0 && (
            <details class="pg-more">
              <summary>
                {notable.length > 0 ? 'and ' : ''}
                {routine.length} {routine.length === 1 ? 'endpoint' : 'endpoints'} as usual (provider not enabled or
                unpriced; free endpoints only through :free)
              </summary>
              <DropList drops={routine} />
            </details>
          )}
        </>
      )}
      <h4>Attempts</h4>
      {g.attempts.length === 0 ? (
        <p class="muted">No provider was called.</p>
      ) : (
        <ol class="pg-list">
          {g.attempts.map((a, i) => (
            <li key={i}>
              {a.provider} ({a.endpoint}):{' '}
              <span class={a.status >= 200 && a.status < 300 ? 'pg-ok' : 'pg-bad'}>HTTP {a.status}</span> in{' '}
              {formatMs(a.duration_ms)}
              {a.error && <span class="muted"> — {a.error}</span>}
            </li>
          ))}
        </ol>
      )}
      <p class="muted">
        Latency {formatMs(g.latency)}
        {g.time_to_first_token !== null && `, first token after ${formatMs(g.time_to_first_token)}`}
        {g.cancelled && ', stopped by you (recorded as cancelled)'}.
      </p>
    </div>
  );
}
