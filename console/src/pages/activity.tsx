// The Activity page (issue 17 item 6): a date range and filters, kept in the hash's query so a view is a link;
// the range's totals and per-day charts by model, provider or key (activity-charts.tsx); the generations table
// (activity-table.tsx), each row opening its detail (#/activity/<id>, generation.tsx). A user key sees its own
// requests; an admin key its account's, and may narrow to one key.
import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../api';
import { SelectField, TextField, type Option } from '../components/field';
import type { PageProps } from '../routes';
import { setQuery } from '../router';
import { ActivityCharts } from './activity-charts';
import { DEFAULT_DAYS, rangeOf, type GroupBy } from './activity-data';
import { GenerationsTable } from './activity-table';

const RANGES: Option[] = [
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: 'custom', label: 'Custom…' },
];
const GROUP_BY: Option[] = [
  { value: 'model', label: 'By model' },
  { value: 'provider', label: 'By provider' },
  { value: 'key', label: 'By key' },
];
const STATUS: Option[] = [
  { value: '', label: 'Any status' },
  { value: 'ok', label: 'Succeeded' },
  { value: 'error', label: 'Failed' },
];

interface KeyRow {
  id: string;
  name: string;
}

export default function ActivityPage({ query, session }: PageProps) {
  const range = rangeOf(query);
  const rawBy = query.get('by');
  const by: GroupBy = rawBy === 'provider' || rawBy === 'key' ? rawBy : 'model';
  const model = query.get('model') ?? '';
  const provider = query.get('provider') ?? '';
  const key = session.isAdmin ? (query.get('key') ?? '') : '';
  const status = query.get('status') ?? '';
  // the account's own keys (an operator's unscoped list holds every account's, whose rows this page never shows)
  const keys = useApi<{ data: KeyRow[] }>(
    session.isAdmin ? `/v1/keys?limit=100&account_id=${encodeURIComponent(session.info.account_id)}` : null,
  );

  // typed filters apply on Enter or Apply, not on every letter (each would be two requests)
  const [draft, setDraft] = useState({ model, provider, from: range.from, to: range.to });
  useEffect(
    () => setDraft({ model, provider, from: range.from, to: range.to }),
    [model, provider, range.from, range.to],
  );

  const keyOptions: Option[] = [
    { value: '', label: 'All keys' },
    ...(keys.data?.data ?? []).map((k) => ({ value: k.id, label: k.name || k.id })),
  ];
  if (key && !keyOptions.some((o) => o.value === key)) keyOptions.push({ value: key, label: key });

  return (
    <section class="page activity">
      <h1>Activity</h1>
      <form
        class="activity-filters"
        aria-label="Activity filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({
            model: draft.model.trim(),
            provider: draft.provider.trim(),
            ...(range.preset === 'custom' ? { from: draft.from, to: draft.to } : {}),
          });
        }}
      >
        <SelectField
          label="Date range"
          value={range.preset}
          options={RANGES}
          onChange={(v) =>
            setQuery(v === 'custom' ? { range: v, from: range.from, to: range.to } : { range: v, from: null, to: null })
          }
        />
        {range.preset === 'custom' && (
          <>
            <TextField label="From" type="date" value={draft.from} onInput={(v) => setDraft({ ...draft, from: v })} />
            <TextField label="To" type="date" value={draft.to} onInput={(v) => setDraft({ ...draft, to: v })} />
          </>
        )}
        <TextField
          label="Model"
          type="search"
          placeholder="openai/gpt-4o"
          value={draft.model}
          onInput={(v) => setDraft({ ...draft, model: v })}
        />
        <TextField
          label="Provider"
          type="search"
          placeholder="openai"
          value={draft.provider}
          onInput={(v) => setDraft({ ...draft, provider: v })}
        />
        {session.isAdmin && (
          <SelectField label="Key" value={key} options={keyOptions} onChange={(v) => setQuery({ key: v })} />
        )}
        <div class="field activity-apply">
          <button type="submit" class="btn btn-primary">
            Apply
          </button>
        </div>
      </form>
      {range.problem && (
        <p class="form-error" role="alert">
          {range.problem} Showing the last 30 days.
        </p>
      )}
      <p class="muted activity-range">
        {range.from} to {range.to} (UTC days).
      </p>

      <div class="activity-head">
        <h2>Usage</h2>
        <SelectField
          label="Group the charts"
          hideLabel
          class="activity-by"
          value={by}
          options={GROUP_BY}
          onChange={(v) => setQuery({ by: v === 'model' ? null : v })}
        />
      </div>
      <ActivityCharts filters={{ from: range.from, to: range.to, by, model, provider, key }} />

      <div class="activity-head">
        <h2>Generations</h2>
        <SelectField
          label="Status"
          hideLabel
          class="activity-status"
          value={status}
          options={STATUS}
          onChange={(v) => setQuery({ status: v })}
        />
      </div>
      <GenerationsTable
        filters={{ from: range.from, to: range.to, model, provider, key, status }}
        filtered={!!(model || provider || key || status) || range.preset !== String(DEFAULT_DAYS)}
      />
    </section>
  );
}
