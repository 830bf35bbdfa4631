// The Keys page's create form (POST /v1/keys): name, USD limit and its reset period, rate limits, expiry, and the
// role and account a caller may grant. The API validates; its 400 is shown beside the field it names (`param`).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { NumberField, SelectField, TextField, type Option } from '../components/field';
import { formErrors, localToIso, type Account, type AdminKey } from '../admin-api';
import type { Session } from '../session';
import { FormActions } from '../components/form-actions';

const FIELDS = [
  'name',
  'limit',
  'limit_reset',
  'rate_limit.requests_per_minute',
  'rate_limit.tokens_per_minute',
  // the API names the pair when the object as a whole is refused
  'rate_limit',
  'expires_at',
  'role',
  'account_id',
] as const;

const RESETS: Option[] = [
  { value: 'never', label: 'Never (a lifetime limit)' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
  { value: 'monthly', label: 'Monthly' },
];

const WHOLE = 'A whole number of at least 1, or empty for the server’s default.';

const empty = { name: '', limit: '', reset: 'never', rpm: '', tpm: '', expires: '', role: 'user', account: '' };

/** a typed per-minute limit: empty → null (the server's default), else a whole number ≥ 1, or NaN */
const perMinute = (v: string): number | null => {
  if (v.trim() === '') return null;
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 ? n : NaN;
};

export function KeyForm({
  session,
  accounts,
  onCreated,
  onCancel,
}: {
  session: Session;
  /** the operator's accounts to create a key in (admins: their own, not asked) */
  accounts: Account[] | null;
  onCreated: (key: AdminKey, secret: string) => void;
  onCancel: () => void;
}) {
  const [v, setV] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ field: Record<string, string>; form: string | null }>({
    field: {},
    form: null,
  });
  const form = useRef<HTMLFormElement>(null);
  // the first field the API refused gets the focus, so its message is read out and the fix typed straight away
  useEffect(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), [errors]);
  const set = (k: keyof typeof empty) => (value: string) => setV((old) => ({ ...old, [k]: value }));
  const err = (f: (typeof FIELDS)[number]) => errors.field[f];
  const operator = session.info.role === 'operator';
  const account = v.account || session.info.account_id;
  const roles: Option[] = [
    { value: 'user', label: 'User: calls models' },
    { value: 'admin', label: 'Admin: also manages its account’s keys' },
    // operator keys live in the default account only (the API says so otherwise)
    ...(operator && account === session.info.account_id
      ? [{ value: 'operator', label: 'Operator: manages the whole deployment' }]
      : []),
  ];

  const submit = async (e: Event) => {
    e.preventDefault();
    let expires: string | null = null;
    if (v.expires.trim()) {
      expires = localToIso(v.expires);
      if (!expires) {
        setErrors({ field: { expires_at: 'Not a date and time.' }, form: null });
        return;
      }
    }
    const rpm = perMinute(v.rpm);
    const tpm = perMinute(v.tpm);
    // the API would refuse the pair as one union ("rate_limit"): say which of the two, and how
    const bad: Record<string, string> = {};
    if (Number.isNaN(rpm)) bad['rate_limit.requests_per_minute'] = WHOLE;
    if (Number.isNaN(tpm)) bad['rate_limit.tokens_per_minute'] = WHOLE;
    if (Object.keys(bad).length) {
      setErrors({ field: bad, form: null });
      return;
    }
    const body: Record<string, unknown> = {
      name: v.name.trim(),
      limit: v.limit.trim() === '' ? null : v.limit.trim(),
      limit_reset: v.reset,
      rate_limit: rpm === null && tpm === null ? null : { requests_per_minute: rpm, tokens_per_minute: tpm },
      expires_at: expires,
      role: v.role,
      ...(operator && v.account ? { account_id: v.account } : {}),
    };
    setBusy(true);
    setErrors({ field: {}, form: null });
    try {
      const res = await api<{ data: AdminKey; key: string }>('/v1/keys', { method: 'POST', body });
      setV(empty);
      onCreated(res.data, res.key);
    } catch (error) {
      setErrors(formErrors(error, FIELDS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={form} class="card key-form" onSubmit={submit} noValidate aria-labelledby="key-form-title">
      <h2 id="key-form-title">Create a key</h2>
      <div class="form-grid">
        <TextField label="Name" value={v.name} onInput={set('name')} autoFocus error={err('name')} />
        {operator && accounts && accounts.length > 1 && (
          <SelectField
            label="Account"
            value={account}
            options={accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.id})` }))}
            onChange={(a) => setV((old) => ({ ...old, account: a, role: old.role === 'operator' ? 'user' : old.role }))}
            error={err('account_id')}
          />
        )}
        <SelectField label="Role" value={v.role} options={roles} onChange={set('role')} error={err('role')} />
        <NumberField
          label="Spending limit (USD)"
          value={v.limit}
          onInput={set('limit')}
          min={0}
          placeholder="No limit"
          hint="Empty: no limit of its own (the account's credits still apply)."
          error={err('limit')}
        />
        <SelectField
          label="Limit resets"
          value={v.reset}
          options={RESETS}
          onChange={set('reset')}
          hint="When the usage counted against the limit starts again (UTC)."
          error={err('limit_reset')}
        />
        <fieldset class="fieldset rate-limits">
          <legend>Rate limits</legend>
          <NumberField
            label="Requests per minute"
            value={v.rpm}
            onInput={set('rpm')}
            min={1}
            step={1}
            placeholder="Server default"
            error={err('rate_limit.requests_per_minute')}
          />
          <NumberField
            label="Tokens per minute"
            value={v.tpm}
            onInput={set('tpm')}
            min={1}
            step={1}
            placeholder="Server default"
            error={err('rate_limit.tokens_per_minute')}
          />
          {err('rate_limit') && (
            <p class="field-error" role="alert">
              {err('rate_limit')}
            </p>
          )}
        </fieldset>
        <TextField
          label="Expires"
          type="datetime-local"
          value={v.expires}
          onInput={set('expires')}
          hint="Your local time. Empty: never."
          error={err('expires_at')}
        />
      </div>
      <FormActions error={errors.form} busy={busy} submit="Create key" busyLabel="Creating…" onCancel={onCancel} />
    </form>
  );
}
