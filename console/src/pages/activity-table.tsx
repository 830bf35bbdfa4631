// The generations of the Activity page: GET /v1/activity with the page's filters, newest first, paged by the
// answer's `next_cursor` ("Load more" appends the next page). Each row's time links to its detail page
// (#/activity/<id>, generation.tsx).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { ErrorState, Loading, Empty } from '../components/states';
import { DataTable } from '../components/table';
import { formatCount, formatMs, formatUsd } from '../format';
import { href } from '../router';
import { statusText, type ActivityAnswer } from './activity-data';
import type { Generation } from '../generation';

export const PAGE_SIZE = 50;

export interface TableFilters {
  from: string;
  to: string;
  model: string;
  provider: string;
  key: string;
  /** '' | 'ok' | 'error' */
  status: string;
}

export function activityPath(f: TableFilters, cursor: string | null): string {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE), from: f.from, to: f.to });
  if (f.model) q.set('model', f.model);
  if (f.provider) q.set('provider', f.provider);
  if (f.key) q.set('key_id', f.key);
  if (f.status) q.set('status', f.status);
  if (cursor) q.set('cursor', cursor);
  return '/v1/activity?' + q.toString();
}

/** "2026-12-05 21:48:03" (UTC, as the charts' days are) */
export const formatTime = (iso: string): string => iso.slice(0, 19).replace('T', ' ');

export const generationHref = (id: string): string => href('/activity/' + encodeURIComponent(id));

interface State {
  rows: Generation[];
  cursor: string | null;
  loading: boolean;
  error: ApiError | null;
}

export function GenerationsTable({ filters, filtered }: { filters: TableFilters; filtered: boolean }) {
  const path = activityPath(filters, null);
  const [s, setS] = useState<State>({ rows: [], cursor: null, loading: true, error: null });
  const [round, setRound] = useState(0);
  const ac = useRef<AbortController | null>(null);

  const load = (cursor: string | null) => {
    ac.current?.abort();
    const mine = (ac.current = new AbortController());
    setS((p) => ({ ...p, rows: cursor ? p.rows : [], loading: true, error: null }));
    api<ActivityAnswer>(activityPath(filters, cursor), { signal: mine.signal }).then(
      (a) =>
        setS((p) => ({
          rows: cursor ? [...p.rows, ...a.data] : a.data,
          cursor: a.next_cursor,
          loading: false,
          error: null,
        })),
      (err: unknown) => {
        if ((err as Error)?.name === 'AbortError') return;
        const e = err instanceof ApiError ? err : new ApiError(0, String((err as Error)?.message ?? err));
        setS((p) => ({ ...p, loading: false, error: e }));
      },
    );
  };

  useEffect(() => {
    load(null);
    return () => ac.current?.abort();
  }, [path, round]);

  if (s.error && s.rows.length === 0) {
    return (
      <ErrorState error={s.error} onRetry={() => setRound((r) => r + 1)} title="The generations could not be loaded" />
    );
  }
  if (s.loading && s.rows.length === 0) return <Loading label="Loading the generations…" />;
  if (s.rows.length === 0) {
    return filtered ? (
      <Empty title="No generations match these filters.">Clear a filter or pick a longer range.</Empty>
    ) : (
      <Empty title="No traffic yet.">
        Requests show here as soon as they finish. <a href={href('/playground')}>Send a request from the Playground</a>{' '}
        or call the API.
      </Empty>
    );
  }
  return (
    <>
      <DataTable
        caption="Generations, newest first"
        class="generations"
        rows={s.rows}
        rowKey={(g) => g.id}
        columns={[
          {
            key: 'time',
            header: 'Time (UTC)',
            cell: (g) => (
              <a href={generationHref(g.id)} aria-label={`${formatTime(g.created_at)}: details of ${g.id}`}>
                {formatTime(g.created_at)}
              </a>
            ),
          },
          { key: 'model', header: 'Model', cell: (g) => g.model ?? <span class="muted">{g.requested_model}</span> },
          { key: 'provider', header: 'Provider', cell: (g) => g.provider_name ?? '—' },
          {
            key: 'tokens',
            header: 'Tokens in / out',
            numeric: true,
            cell: (g) => `${formatCount(g.tokens_prompt)} / ${formatCount(g.tokens_completion)}`,
          },
          { key: 'cost', header: 'Cost', numeric: true, cell: (g) => formatUsd(g.total_cost) },
          { key: 'latency', header: 'Latency', numeric: true, cell: (g) => formatMs(g.latency) },
          { key: 'ttft', header: 'TTFT', numeric: true, cell: (g) => formatMs(g.time_to_first_token) },
          {
            key: 'status',
            header: 'Status',
            cell: (g) => <span class={g.status < 400 && !g.cancelled ? 'ok' : 'bad'}>{statusText(g)}</span>,
          },
          { key: 'streamed', header: 'Streamed', cell: (g) => (g.streamed ? 'yes' : 'no') },
        ]}
      />
      <div class="table-more">
        {s.error && <p class="form-error">{s.error.message}</p>}
        {s.cursor ? (
          <button type="button" class="btn" disabled={s.loading} onClick={() => load(s.cursor)}>
            {s.loading ? 'Loading…' : 'Load more'}
          </button>
        ) : (
          <p class="muted">
            {formatCount(s.rows.length)} generation{s.rows.length === 1 ? '' : 's'}, all shown.
          </p>
        )}
      </div>
    </>
  );
}
