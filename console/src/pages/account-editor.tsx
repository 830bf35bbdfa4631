// One account's settings (PATCH /v1/accounts/:id): its name (its admin may rename it), and, for the operator's key
// only (the API refuses the others), its credits — set, add to, or unlimited — and the providers it may use, a
// checklist of the catalog's providers (GET /v1/providers) or every configured one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { CheckboxField, NumberField, TextField } from '../components/field';
import { formatUsd } from '../format';
import { addUsd, formErrors, type Account, type CatalogProvider } from '../admin-api';
import { FormActions } from '../components/form-actions';

const FIELDS = ['name', 'credits', 'enabled_providers'] as const;

export function AccountEditor({
  account,
  providers,
  operator,
  onSaved,
  onClose,
}: {
  account: Account;
  /** null while loading or when it failed (then the list is the account's own) */
  providers: CatalogProvider[] | null;
  operator: boolean;
  onSaved: (a: Account) => void;
  onClose: () => void;
}) {
  const [name, setName] = useState(account.name);
  const [unlimited, setUnlimited] = useState(account.credits_exact === null);
  const [credits, setCredits] = useState(account.credits_exact ?? '');
  const [add, setAdd] = useState('');
  const [addError, setAddError] = useState<string | null>(null);
  const [allProviders, setAllProviders] = useState(account.enabled_providers === null);
  const [chosen, setChosen] = useState<string[]>(account.enabled_providers ?? account.configured_providers);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [errors, setErrors] = useState<{ field: Record<string, string>; form: string | null }>({
    field: {},
    form: null,
  });
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), [errors]);
  // opened from a row's Edit button below: bring it into view and start there
  useEffect(() => {
    const h = form.current?.querySelector<HTMLElement>('h2');
    h?.focus();
    h?.scrollIntoView({ block: 'nearest' });
  }, []);

  // the catalog's providers, or (without the catalog's list) the ones the account names and the configured ones
  const listed: CatalogProvider[] =
    providers ??
    [...new Set([...account.configured_providers, ...(account.enabled_providers ?? [])])].map((id) => ({
      id,
      name: id,
      configured: account.configured_providers.includes(id),
      models: 0,
    }));

  const addCredits = () => {
    const sum = addUsd(credits.trim() || '0', add.trim());
    if (sum === null) {
      setAddError('Type an amount in dollars, such as 25 or 12.50.');
      return;
    }
    setAddError(null);
    setCredits(sum);
    setAdd('');
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    if (name.trim() !== account.name) body.name = name.trim();
    if (operator) {
      const c = unlimited ? null : credits.trim();
      if (c !== account.credits_exact) body.credits = c;
      const p = allProviders ? null : [...chosen].sort();
      const was = account.enabled_providers === null ? null : [...account.enabled_providers].sort();
      if (JSON.stringify(p) !== JSON.stringify(was)) body.enabled_providers = p;
    }
    setSaved(null);
    if (Object.keys(body).length === 0) {
      setSaved('Nothing to save: no change.');
      return;
    }
    setBusy(true);
    setErrors({ field: {}, form: null });
    try {
      const res = await api<{ data: Account }>(`/v1/accounts/${encodeURIComponent(account.id)}`, {
        method: 'PATCH',
        body,
      });
      onSaved(res.data);
      setSaved(`Saved “${res.data.name}”.`);
    } catch (err) {
      setErrors(formErrors(err, FIELDS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={form} class="card account-editor" onSubmit={submit} noValidate aria-labelledby="account-editor-title">
      <h2 id="account-editor-title" tabIndex={-1}>
        Account “{account.name}”
      </h2>
      <p class="muted small">
        <code>{account.id}</code> · used {formatUsd(account.usage)}
        {account.credits_remaining !== null && ` · ${formatUsd(account.credits_remaining)} left`}
      </p>
      <TextField label="Name" value={name} onInput={setName} error={errors.field.name} />

      <fieldset class="fieldset">
        <legend>Credits</legend>
        {operator ? (
          <>
            <CheckboxField
              label="Unlimited credits"
              checked={unlimited}
              onChange={(on) => {
                setUnlimited(on);
                setAddError(null);
              }}
            />
            {!unlimited && (
              <div class="form-grid">
                <NumberField
                  label="Credits (USD)"
                  value={credits}
                  onInput={setCredits}
                  min={0}
                  hint="The total granted; what the account spends counts against it."
                  error={errors.field.credits}
                />
                <div class="add-credits">
                  <NumberField
                    label="Add credits (USD)"
                    value={add}
                    onInput={setAdd}
                    min={0}
                    error={addError ?? undefined}
                  />
                  <button type="button" class="btn" onClick={addCredits} disabled={add.trim() === ''}>
                    Add to credits
                  </button>
                </div>
              </div>
            )}
          </>
        ) : (
          <p>
            {account.credits === null ? 'Unlimited' : `${formatUsd(account.credits)} granted`}.{' '}
            <span class="muted">Credits are set by the operator’s key.</span>
          </p>
        )}
      </fieldset>

      <fieldset class="fieldset">
        <legend>Enabled providers</legend>
        {operator ? (
          <>
            <CheckboxField
              label="Every configured provider (no restriction)"
              checked={allProviders}
              onChange={setAllProviders}
            />
            {!allProviders && (
              <>
                <div class="provider-list" role="group" aria-label="Providers this account may use">
                  {listed.map((p) => (
                    <CheckboxField
                      key={p.id}
                      label={
                        <>
                          {p.name} <span class="muted">{p.configured ? `${p.models} models` : 'not configured'}</span>
                        </>
                      }
                      checked={chosen.includes(p.id)}
                      onChange={(on) => setChosen(on ? [...chosen, p.id] : chosen.filter((x) => x !== p.id))}
                    />
                  ))}
                </div>
                <div class="form-actions">
                  <button type="button" class="btn btn-small" onClick={() => setChosen(listed.map((p) => p.id))}>
                    Select all
                  </button>
                  <button type="button" class="btn btn-small" onClick={() => setChosen([])}>
                    Select none
                  </button>
                </div>
              </>
            )}
            {errors.field.enabled_providers && <p class="field-error">{errors.field.enabled_providers}</p>}
          </>
        ) : (
          <p>
            {account.enabled_providers === null
              ? 'Every configured provider.'
              : account.enabled_providers.length
                ? account.enabled_providers.join(', ')
                : 'None.'}{' '}
            <span class="muted">Enabled providers are set by the operator’s key.</span>
          </p>
        )}
      </fieldset>

      <FormActions error={errors.form} busy={busy} submit="Save" busyLabel="Saving…" onCancel={onClose} cancel="Close">
        <p class={saved ? 'notice' : 'visually-hidden'} role="status" aria-live="polite">
          {saved}
        </p>
      </FormActions>
    </form>
  );
}
