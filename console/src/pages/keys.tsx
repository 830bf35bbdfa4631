// The Keys page (issue 17 item 5; admin and operator keys): the keys this key may manage (GET /v1/keys, a page at
// a time), each with its usage against its limit, reset period, rate limits, expiry and state; a create form
// whose secret is shown once; disable/enable (PATCH) and revoke (DELETE, after a confirmation).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, useApi } from '../api';
import { CopyButton } from '../components/copy';
import { ConfirmDialog } from '../components/dialog';
import { CheckboxField, SelectField } from '../components/field';
import { UsageBar } from '../components/meter';
import { ErrorState, Loading } from '../components/states';
import { DataTable, type Column } from '../components/table';
import { formatCount, formatUsd } from '../format';
import { setQuery } from '../router';
import type { PageProps } from '../routes';
import { formatDateTime, keyState, usePaged, type Account, type AdminKey } from '../admin-api';
import { KeyForm } from './key-form';

const PAGE = 50;
const RESET_WORDS = { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly' } as const;
const PERIOD_WORDS = { daily: 'today', weekly: 'this week', monthly: 'this month' } as const;

function rateWords(k: AdminKey): string {
  const { requests_per_minute: rpm, tokens_per_minute: tpm } = k.rate_limit;
  const parts = [
    rpm === null ? null : `${formatCount(rpm)} req/min`,
    tpm === null ? null : `${formatCount(tpm)} tok/min`,
  ];
  const said = parts.filter(Boolean).join(' · ');
  return said || 'No limit';
}

export default function KeysPage({ session, query }: PageProps) {
  const operator = session.info.role === 'operator';
  const showRevoked = query.get('revoked') === '1';
  const accountFilter = operator ? (query.get('account') ?? '') : '';
  const path =
    `/v1/keys?limit=${PAGE}` +
    (showRevoked ? '&include_revoked=true' : '') +
    (accountFilter ? `&account_id=${encodeURIComponent(accountFilter)}` : '');
  const keys = usePaged<AdminKey>(path);
  // the operator picks among accounts (the first page: a picker of thousands is a search, not a select)
  const accounts = useApi<{ data: Account[] }>(operator ? '/v1/accounts?limit=200' : null);

  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ key: AdminKey; secret: string } | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<AdminKey | null>(null);
  const [revokeError, setRevokeError] = useState<string | null>(null);

  const replace = (row: AdminKey) => keys.update((rows) => rows.map((r) => (r.id === row.id ? row : r)));

  const toggle = async (k: AdminKey) => {
    setBusyId(k.id);
    setActionError(null);
    setStatus(null);
    try {
      const res = await api<{ data: AdminKey }>(`/v1/keys/${encodeURIComponent(k.id)}`, {
        method: 'PATCH',
        body: { disabled: !k.disabled },
      });
      replace(res.data);
      setStatus(`Key “${k.name}” ${res.data.disabled ? 'disabled' : 'enabled'}.`);
    } catch (err) {
      setActionError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusyId(null);
    }
  };

  const revoke = async () => {
    const k = revoking;
    if (!k) return;
    setBusyId(k.id);
    setRevokeError(null);
    try {
      await api(`/v1/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
      keys.update((rows) =>
        showRevoked
          ? rows.map((r) => (r.id === k.id ? { ...r, revoked: true, revoked_at: new Date().toISOString() } : r))
          : rows.filter((r) => r.id !== k.id),
      );
      setRevoking(null);
      setStatus(`Key “${k.name}” revoked: it no longer works.`);
    } catch (err) {
      setRevokeError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusyId(null);
    }
  };

  const columns: Column<AdminKey>[] = [
    {
      key: 'name',
      header: 'Key',
      cell: (k) => (
        <>
          <span class="key-name">{k.name}</span>
          {k.id === session.info.id && <span class="badge">this key</span>}
          <div class="model-sub">
            <code>{k.label}</code>
            {k.role !== 'user' && <span class="badge">{k.role}</span>}
          </div>
        </>
      ),
    },
    ...(operator ? [{ key: 'account', header: 'Account', cell: (k: AdminKey) => <code>{k.account_id}</code> }] : []),
    {
      key: 'usage',
      header: 'Usage',
      cell: (k) => (
        <UsageBar used={k.usage_period} limit={k.limit}>
          {k.limit === null ? (
            <>{formatUsd(k.usage)} · no limit</>
          ) : (
            <>
              {formatUsd(k.usage_period)} of {formatUsd(k.limit)}
              {k.limit_reset ? ` ${PERIOD_WORDS[k.limit_reset]}` : ''}
            </>
          )}
        </UsageBar>
      ),
    },
    {
      key: 'reset',
      header: 'Resets',
      cell: (k) => (
        <>
          {k.limit_reset ? RESET_WORDS[k.limit_reset] : 'Never'}
          {k.limit_resets_at && <div class="muted small">next {formatDateTime(k.limit_resets_at)}</div>}
        </>
      ),
    },
    { key: 'rate', header: 'Rate limits', cell: rateWords },
    {
      key: 'expires',
      header: 'Expires',
      cell: (k) => (k.expires_at ? <time dateTime={k.expires_at}>{formatDateTime(k.expires_at)}</time> : 'Never'),
    },
    {
      key: 'state',
      header: 'State',
      cell: (k) => {
        const s = keyState(k);
        return <span class={`state-badge state-${s}`}>{s}</span>;
      },
    },
    {
      key: 'actions',
      header: <span class="visually-hidden">Actions</span>,
      cell: (k) =>
        k.revoked || k.id === session.info.id ? null : (
          <div class="row-actions">
            <button
              type="button"
              class="btn btn-small"
              disabled={busyId === k.id}
              aria-label={`${k.disabled ? 'Enable' : 'Disable'} key ${k.name}`}
              onClick={() => void toggle(k)}
            >
              {k.disabled ? 'Enable' : 'Disable'}
            </button>
            <button
              type="button"
              class="btn btn-small btn-danger"
              disabled={busyId === k.id}
              aria-label={`Revoke key ${k.name}`}
              onClick={() => {
                setRevokeError(null);
                setRevoking(k);
              }}
            >
              Revoke
            </button>
          </div>
        ),
    },
  ];

  return (
    <section class="page keys-page">
      <div class="page-head">
        <h1>Keys</h1>
        {!creating && (
          <button
            type="button"
            class="btn btn-primary"
            onClick={() => {
              setCreating(true);
              setSecret(null);
            }}
          >
            Create a key
          </button>
        )}
      </div>
      <p class="muted">
        {operator
          ? 'Every key of every account (the operator key that started the server from the environment is not listed).'
          : 'The keys of your account, up to your own role.'}
      </p>

      {secret && <SecretPanel created={secret.key} secret={secret.secret} onDone={() => setSecret(null)} />}
      {creating && (
        <KeyForm
          session={session}
          accounts={accounts.data?.data ?? null}
          onCancel={() => setCreating(false)}
          onCreated={(key, s) => {
            setCreating(false);
            setSecret({ key, secret: s });
            setStatus(null);
            // the list is oldest first: the new key belongs at its end, once the end is loaded
            if (!keys.more && (!accountFilter || accountFilter === key.account_id)) keys.update((r) => [...r, key]);
          }}
        />
      )}

      <div class="list-tools">
        <CheckboxField
          label="Show revoked keys"
          checked={showRevoked}
          onChange={(on) => setQuery({ revoked: on ? '1' : null })}
        />
        {operator && accounts.data && accounts.data.data.length > 1 && (
          <SelectField
            label="Account"
            class="inline-field"
            value={accountFilter}
            options={[
              { value: '', label: 'All accounts' },
              ...accounts.data.data.map((a) => ({ value: a.id, label: `${a.name} (${a.id})` })),
            ]}
            onChange={(a) => setQuery({ account: a })}
          />
        )}
      </div>
      <p class={status ? 'notice' : 'visually-hidden'} role="status" aria-live="polite">
        {status}
      </p>
      {actionError && (
        <p class="form-error" role="alert">
          {actionError}
        </p>
      )}

      {keys.error && !keys.rows.length ? (
        <ErrorState error={keys.error} onRetry={keys.reload} title="The keys could not be loaded" />
      ) : keys.loading && !keys.rows.length ? (
        <Loading label="Loading keys…" />
      ) : (
        <>
          <DataTable
            caption="API keys"
            class="keys-table"
            rows={keys.rows}
            rowKey={(k) => k.id}
            columns={columns}
            empty={showRevoked ? 'No keys yet.' : 'No active keys. Create one above.'}
          />
          {keys.error && (
            <ErrorState error={keys.error} onRetry={keys.loadMore} title="More keys could not be loaded" />
          )}
          {keys.more && (
            <div class="pager">
              <button type="button" class="btn" disabled={keys.loading} onClick={keys.loadMore}>
                {keys.loading ? 'Loading…' : 'Load more keys'}
              </button>
            </div>
          )}
        </>
      )}

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke key “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke key"
        danger
        busy={revoking !== null && busyId === revoking.id}
        error={revokeError}
        onCancel={() => setRevoking(null)}
        onConfirm={() => void revoke()}
      >
        <p>
          Requests made with <code>{revoking?.label}</code> will be refused from now on. This cannot be undone: to pause
          a key instead, disable it.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function SecretPanel({ created, secret, onDone }: { created: AdminKey; secret: string; onDone: () => void }) {
  // the form that had the focus is gone: the focus goes to the panel, so its warning is read first
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div ref={ref} tabIndex={-1} class="card secret-panel" role="region" aria-labelledby="secret-title">
      <h2 id="secret-title">Key “{created.name}” created</h2>
      <p class="secret-warning">
        <strong>Copy this key now: you will not see it again.</strong> ARouter keeps only its hash.
      </p>
      <div class="secret-row">
        <code class="secret" tabIndex={0} aria-label="The new key">
          {secret}
        </code>
        <CopyButton text={secret} label="Copy key" />
      </div>
      <button type="button" class="btn" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}
