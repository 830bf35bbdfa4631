// The Accounts page (issue 17 item 5; admin and operator keys): the accounts this key may manage (the operator:
// all of them, a page at a time; an admin: its own), each with its credits and usage and the providers it may
// use; one opened for editing (`#/accounts?edit=<id>`, a link) and, for the operator, a form for a new one.
import { useRef, useState } from 'preact/hooks';
import { api, useApi } from '../api';
import { NumberField, TextField } from '../components/field';
import { UsageBar } from '../components/meter';
import { ErrorState, Loading } from '../components/states';
import { DataTable, type Column } from '../components/table';
import { formatUsd } from '../format';
import { setQuery } from '../router';
import type { PageProps } from '../routes';
import { formErrors, formatDateTime, usePaged, type Account, type CatalogProvider } from '../admin-api';
import { AccountEditor } from './account-editor';
import { FormActions } from '../components/form-actions';

const PAGE = 50;

function creditsCell(a: Account) {
  if (a.credits === null)
    return (
      <UsageBar used={a.usage} limit={null}>
        {formatUsd(a.usage)} used · unlimited
      </UsageBar>
    );
  return (
    <UsageBar used={a.usage} limit={a.credits}>
      {formatUsd(a.usage)} of {formatUsd(a.credits)} · {formatUsd(a.credits_remaining)} left
    </UsageBar>
  );
}

function providersCell(a: Account, names: Map<string, string>) {
  if (a.enabled_providers === null) return <span>All configured</span>;
  if (!a.enabled_providers.length) return <span class="muted">None</span>;
  const shown = a.enabled_providers.map((p) => names.get(p) ?? p);
  return (
    <span title={shown.join(', ')}>
      {shown.length > 3 ? `${shown.slice(0, 3).join(', ')} +${shown.length - 3}` : shown.join(', ')}
    </span>
  );
}

export default function AccountsPage({ session, query }: PageProps) {
  const operator = session.info.role === 'operator';
  const accounts = usePaged<Account>(`/v1/accounts?limit=${PAGE}`);
  const providers = useApi<{ data: CatalogProvider[] }>('/v1/providers');
  const names = new Map((providers.data?.data ?? []).map((p) => [p.id, p.name]));
  const editId = query.get('edit');
  const editing = editId ? (accounts.rows.find((a) => a.id === editId) ?? null) : null;
  const [creating, setCreating] = useState(false);
  const [status, setStatus] = useState<string | null>(null);

  const replace = (row: Account) => accounts.update((rows) => rows.map((r) => (r.id === row.id ? row : r)));

  const columns: Column<Account>[] = [
    {
      key: 'name',
      header: 'Account',
      cell: (a) => (
        <>
          <span class="key-name">{a.name}</span>
          {a.id === session.info.account_id && <span class="badge">yours</span>}
          <div class="model-sub">
            <code>{a.id}</code>
          </div>
        </>
      ),
    },
    { key: 'credits', header: 'Credits', cell: creditsCell },
    { key: 'providers', header: 'Enabled providers', cell: (a) => providersCell(a, names) },
    { key: 'created', header: 'Created', cell: (a) => formatDateTime(a.created_at) },
    {
      key: 'edit',
      header: <span class="visually-hidden">Actions</span>,
      cell: (a) => (
        <div class="row-actions">
          <button
            type="button"
            class="btn btn-small"
            aria-label={`Edit account ${a.name}`}
            aria-pressed={a.id === editId}
            onClick={() => setQuery({ edit: a.id === editId ? null : a.id })}
          >
            {a.id === editId ? 'Editing' : 'Edit'}
          </button>
        </div>
      ),
    },
  ];

  return (
    <section class="page accounts-page">
      <div class="page-head">
        <h1>Accounts</h1>
        {operator && !creating && (
          <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
            New account
          </button>
        )}
      </div>
      <p class="muted">
        {operator
          ? 'Every account of this deployment: credits are what an account may spend in all; enabled providers, which providers its keys may use.'
          : 'Your account. Its credits and enabled providers are set by the operator’s key.'}
      </p>
      {providers.error && <p class="notice">The provider names could not be loaded: {providers.error.message}</p>}
      <p class={status ? 'notice' : 'visually-hidden'} role="status" aria-live="polite">
        {status}
      </p>

      {creating && (
        <NewAccount
          onCancel={() => setCreating(false)}
          onCreated={(a) => {
            setCreating(false);
            setStatus(`Account “${a.name}” created.`);
            if (!accounts.more) accounts.update((rows) => [...rows, a]);
            setQuery({ edit: a.id });
          }}
        />
      )}

      {editId && !editing && !accounts.loading && !accounts.error && (
        <EditById id={editId} operator={operator} providers={providers.data?.data ?? null} onSaved={replace} />
      )}
      {editing && (
        <AccountEditor
          key={editing.id}
          account={editing}
          providers={providers.data?.data ?? null}
          operator={operator}
          onSaved={replace}
          onClose={() => setQuery({ edit: null })}
        />
      )}
      {accounts.error && !accounts.rows.length ? (
        <ErrorState error={accounts.error} onRetry={accounts.reload} title="The accounts could not be loaded" />
      ) : accounts.loading && !accounts.rows.length ? (
        <Loading label="Loading accounts…" />
      ) : (
        <>
          <DataTable
            caption="Accounts"
            class="accounts-table"
            rows={accounts.rows}
            rowKey={(a) => a.id}
            columns={columns}
            empty="No accounts."
          />
          {accounts.error && (
            <ErrorState error={accounts.error} onRetry={accounts.loadMore} title="More accounts could not be loaded" />
          )}
          {accounts.more && (
            <div class="pager">
              <button type="button" class="btn" disabled={accounts.loading} onClick={accounts.loadMore}>
                {accounts.loading ? 'Loading…' : 'Load more accounts'}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** a linked account not on the loaded pages: asked for by id */
function EditById({
  id,
  operator,
  providers,
  onSaved,
}: {
  id: string;
  operator: boolean;
  providers: CatalogProvider[] | null;
  onSaved: (a: Account) => void;
}) {
  const one = useApi<{ data: Account }>(`/v1/accounts/${encodeURIComponent(id)}`);
  if (one.loading) return <Loading label="Loading the account…" />;
  if (one.error) return <ErrorState error={one.error} title={`Account ${id} could not be loaded`} />;
  if (!one.data) return null;
  return (
    <AccountEditor
      key={id}
      account={one.data.data}
      providers={providers}
      operator={operator}
      onSaved={onSaved}
      onClose={() => setQuery({ edit: null })}
    />
  );
}

function NewAccount({ onCreated, onCancel }: { onCreated: (a: Account) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [credits, setCredits] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ field: Record<string, string>; form: string | null }>({
    field: {},
    form: null,
  });
  const form = useRef<HTMLFormElement>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({ field: {}, form: null });
    try {
      const res = await api<{ data: Account }>('/v1/accounts', {
        method: 'POST',
        body: { name: name.trim(), credits: credits.trim() === '' ? null : credits.trim() },
      });
      onCreated(res.data);
    } catch (err) {
      setErrors(formErrors(err, ['name', 'credits']));
      setTimeout(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    } finally {
      setBusy(false);
    }
  };
  return (
    <form ref={form} class="card account-form" onSubmit={submit} noValidate aria-labelledby="new-account-title">
      <h2 id="new-account-title">New account</h2>
      <div class="form-grid">
        <TextField label="Name" value={name} onInput={setName} autoFocus error={errors.field.name} />
        <NumberField
          label="Credits (USD)"
          value={credits}
          onInput={setCredits}
          min={0}
          placeholder="Unlimited"
          hint="Empty: unlimited."
          error={errors.field.credits}
        />
      </div>
      <FormActions error={errors.form} busy={busy} submit="Create account" busyLabel="Creating…" onCancel={onCancel} />
    </form>
  );
}
