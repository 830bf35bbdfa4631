// The signed-in key: held in sessionStorage only (gone when the tab closes; never in a URL, a cookie or
// localStorage), sent as `Authorization: Bearer`. Its role, from GET /v1/key at sign-in, decides which pages show.

const STORAGE = 'arouter.console.key';

export type Role = 'user' | 'admin' | 'operator';

/** the fields of GET /v1/key's `data` the console reads (src/http/routes/keys.ts keyObject) */
export interface KeyInfo {
  id: string;
  name: string;
  label: string;
  account_id: string;
  role: Role;
  limit: number | null;
  limit_remaining: number | null;
  usage: number;
}

export interface Session {
  key: string;
  info: KeyInfo;
  /** admin or operator: may see the Keys and Accounts pages */
  isAdmin: boolean;
}

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE);
  } catch {
    return null;
  }
}

export function makeSession(key: string, info: KeyInfo): Session {
  return { key, info, isAdmin: info.role === 'admin' || info.role === 'operator' };
}

export function saveKey(key: string): void {
  sessionStorage.setItem(STORAGE, key);
}

type Listener = (reason: string | null) => void;
const listeners = new Set<Listener>();

/** the shell listens: any sign-out (the button, or a 401 from any page's request) returns to the sign-in form */
export function onSignOut(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** reason: shown on the sign-in form (null for a plain sign-out) */
export function signOut(reason: string | null = null): void {
  try {
    sessionStorage.removeItem(STORAGE);
  } catch {
    // storage refused (private mode): nothing was stored either
  }
  for (const fn of listeners) fn(reason);
}
