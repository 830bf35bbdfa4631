// Every request the console makes to the gateway: same origin, the key as a Bearer header, and our error shape
// ({error:{code,message,metadata:{code}}}, src/protocol/errors.ts) turned into words a person can act on.
// A 401 signs out (back to the sign-in form, saying why); 402, 429 and an unreachable server are explained.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { signOut, storedKey } from './session';

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 = the server could not be reached */
    readonly status: number,
    message: string,
    /** our machine-readable code (metadata.code), when the server sent one */
    readonly code: string | null = null,
    /** the request field a 400 names (`param`: `limit`, `rate_limit.requests_per_minute`), for a form to show it there */
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** sent as JSON */
  body?: unknown;
  signal?: AbortSignal;
  /** a key to use instead of the session's (the sign-in check: its 401 is an answer, not a sign-out) */
  key?: string;
  headers?: Record<string, string>;
}

/** the server's own words from an error body, whatever shape it came in */
function serverWords(body: unknown): { message: string | null; code: string | null; param: string | null } {
  const e = (
    body as { error?: { message?: unknown; code?: unknown; param?: unknown; metadata?: { code?: unknown } } } | null
  )?.error;
  if (!e || typeof e !== 'object') return { message: null, code: null, param: null };
  const code = typeof e.metadata?.code === 'string' ? e.metadata.code : typeof e.code === 'string' ? e.code : null;
  const param = typeof e.param === 'string' && e.param !== '' ? e.param : null;
  return { message: typeof e.message === 'string' ? e.message : null, code, param };
}

/** the sentence shown for a failed answer */
export function describeError(status: number, message: string | null, retryAfter: string | null): string {
  const said = message ? `: ${message}` : '.';
  switch (status) {
    case 401:
      return `That key was not accepted${said}`;
    case 402:
      return `Not enough credits, or the key's spending limit is reached${said}`;
    case 403:
      return `This key may not do that${said}`;
    case 404:
      return message ?? 'Not found.';
    case 429: {
      const wait = retryAfter && /^\d+$/.test(retryAfter) ? ` Try again in ${retryAfter} s.` : ' Try again shortly.';
      return `Too many requests${/[.!?]$/.test(said) ? said : said + '.'}${wait}`;
    }
    default:
      if (status >= 500) return `The server could not answer (HTTP ${status})${said}`;
      return message ?? `The request failed (HTTP ${status}).`;
  }
}

export const UNREACHABLE = 'Cannot reach the ARouter server: is it running? Check the address and try again.';

/** fetch with the key; resolves only with a 2xx Response (a stream's body is left to the caller), else throws */
export async function apiFetch(path: string, opts: ApiOptions = {}): Promise<Response> {
  const key = opts.key ?? storedKey();
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (key) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? 'GET', headers, body, signal: opts.signal, cache: 'no-store' });
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err;
    throw new ApiError(0, UNREACHABLE);
  }
  if (res.ok) return res;
  let parsed: unknown = null;
  try {
    parsed = await res.json();
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  const { message, code, param } = serverWords(parsed);
  const retryAfter = res.headers.get('retry-after');
  const error = new ApiError(res.status, describeError(res.status, message, retryAfter), code, param);
  if (res.status === 401 && opts.key === undefined) signOut(error.message);
  throw error;
}

/** a JSON request: the parsed answer */
export async function api<T>(path: string, opts: ApiOptions = {}): Promise<T> {
  const res = await apiFetch(path, opts);
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError(res.status, 'The server sent an answer that is not JSON.');
  }
}

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  /** ask again (a Retry button) */
  reload: () => void;
}

/** GET `path` (null: nothing yet) when it changes; an older answer arriving late is dropped */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  const [round, setRound] = useState(0);
  const current = useRef(0);
  useEffect(() => {
    if (path === null) return;
    const ac = new AbortController();
    const mine = ++current.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    api<T>(path, { signal: ac.signal }).then(
      (data) => mine === current.current && setState({ data, error: null, loading: false }),
      (err: unknown) => {
        if (mine !== current.current || (err as Error)?.name === 'AbortError') return;
        const e = err instanceof ApiError ? err : new ApiError(0, String((err as Error)?.message ?? err));
        setState({ data: null, error: e, loading: false });
      },
    );
    return () => ac.abort();
  }, [path, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}
