// What the Keys and Accounts pages read from the admin API (src/http/routes/keys.ts keyObject / accountObject) and
// the small helpers both pages share: a cursor-paged list, and a 400's field put back beside its form control.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from './api';
import type { Role } from './session';

export type LimitReset = 'daily' | 'weekly' | 'monthly';

export interface AdminKey {
  id: string;
  name: string;
  label: string;
  account_id: string;
  role: Role;
  disabled: boolean;
  revoked: boolean;
  expired: boolean;
  limit: number | null;
  limit_remaining: number | null;
  /** null: never resets */
  limit_reset: LimitReset | null;
  usage: number;
  /** what counts against `limit`: this reset period's usage (all of it when it never resets) */
  usage_period: number;
  limit_resets_at: string | null;
  rate_limit: { requests_per_minute: number | null; tokens_per_minute: number | null };
  expires_at: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface Account {
  id: string;
  name: string;
  /** null: unlimited */
  credits: number | null;
  /** the exact decimal string of `credits` */
  credits_exact: string | null;
  usage: number;
  credits_remaining: number | null;
  /** null: every configured provider */
  enabled_providers: string[] | null;
  configured_providers: string[];
  created_at: string;
}

/** GET /v1/providers */
export interface CatalogProvider {
  id: string;
  name: string;
  configured: boolean;
  models: number;
}

export type KeyState = 'active' | 'disabled' | 'expired' | 'revoked';

export function keyState(k: AdminKey): KeyState {
  return k.revoked ? 'revoked' : k.expired ? 'expired' : k.disabled ? 'disabled' : 'active';
}

export interface Paged<T> {
  rows: T[];
  error: ApiError | null;
  loading: boolean;
  /** another page is there to load */
  more: boolean;
  loadMore: () => void;
  /** from the first page again */
  reload: () => void;
  /** change the loaded rows in place (an answer to PATCH, a revoke, a new row) */
  update: (fn: (rows: T[]) => T[]) => void;
}

/**
 * A cursor-paged admin list (`{data, next_cursor}`, src/http/paging.ts), one page at a time with "Load more":
 * at a million keys, one answer of all of them would be hundreds of MB. `path` may carry its own query.
 */
export function usePaged<T>(path: string): Paged<T> {
  const [rows, setRows] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  const current = useRef(0);

  const fetchPage = useCallback(
    (after: string | null, append: boolean) => {
      const mine = ++current.current;
      setLoading(true);
      setError(null);
      const sep = path.includes('?') ? '&' : '?';
      api<{ data: T[]; next_cursor: string | null }>(
        path + (after ? `${sep}cursor=${encodeURIComponent(after)}` : ''),
      ).then(
        (page) => {
          if (mine !== current.current) return;
          setRows((old) => (append ? [...old, ...page.data] : page.data));
          setCursor(page.next_cursor);
          setLoading(false);
        },
        (err: unknown) => {
          if (mine !== current.current) return;
          setError(err instanceof ApiError ? err : new ApiError(0, String((err as Error)?.message ?? err)));
          setLoading(false);
        },
      );
    },
    [path],
  );
  useEffect(() => {
    setRows([]);
    setCursor(null);
    fetchPage(null, false);
    return () => {
      current.current++;
    };
  }, [fetchPage, round]);

  return {
    rows,
    error,
    loading,
    more: cursor !== null,
    loadMore: () => cursor && fetchPage(cursor, true),
    reload: () => setRound((r) => r + 1),
    update: (fn) => setRows(fn),
  };
}

/**
 * A failed form submission split into the message beside the field the API named (`param`) and the rest.
 * `fields` are the form's field names as the API spells them (`rate_limit.requests_per_minute`).
 */
export function formErrors(
  err: unknown,
  fields: readonly string[],
): { field: Record<string, string>; form: string | null } {
  const message = err instanceof ApiError ? err.message : String((err as Error)?.message ?? err);
  const param = err instanceof ApiError ? err.param : null;
  if (param !== null) {
    // the field itself, else the list or object it is in (`enabled_providers[2]` → `enabled_providers`)
    const hit =
      fields.find((f) => f === param) ?? fields.find((f) => param.startsWith(f + '.') || param.startsWith(f + '['));
    if (hit) return { field: { [hit]: message }, form: null };
  }
  return { field: {}, form: message };
}

const USD = /^\d+(\.\d{1,12})?$/;
const SCALE = 10n ** 12n;

/** exact decimal dollars → millionths of a millionth (the API's own unit), or null if not a plain amount */
function toPico(v: string): bigint | null {
  if (!USD.test(v)) return null;
  const [whole, frac = ''] = v.split('.');
  return BigInt(whole) * SCALE + BigInt(frac.padEnd(12, '0'));
}

/** "10.5" + "0.25" = "10.75", exactly (no floating point in money); null if either is not a plain amount */
export function addUsd(a: string, b: string): string | null {
  const x = toPico(a);
  const y = toPico(b);
  if (x === null || y === null) return null;
  const sum = x + y;
  const frac = (sum % SCALE).toString().padStart(12, '0').replace(/0+$/, '');
  return (sum / SCALE).toString() + (frac ? '.' + frac : '');
}

/** a datetime-local value (the viewer's local time) → ISO 8601 with its zone; null if it is not a time */
export function localToIso(v: string): string | null {
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** an ISO time → "2026-12-05 14:30" in the viewer's time zone */
export function formatDateTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
