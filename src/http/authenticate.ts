// Key authentication (Bearer, or x-api-key as Anthropic's clients send it) against the key directory: a cached
// key answers synchronously (no storage round trip, no await); a key not cached costs one indexed storage read.
import type { IncomingMessage } from 'node:http';
import { forbidden, unauthorized } from './errors.js';
import { requestHeader } from '../lib/request-headers.js';
import type { AccountRow, KeyRole, KeyRow } from '../store/types.js';
import type { Directory } from '../auth/directory.js';
import { roleAtLeast } from '../auth/roles.js';

export interface Identity {
  key: KeyRow;
  account: AccountRow;
}

/**
 * The key and account of a request (401 when there is none usable); the role check is requireRole's. An
 * Identity when the key was cached, a promise of one when storage had to be read: callers await only then.
 */
export function identify(req: IncomingMessage, directory: Directory, now = Date.now()): Identity | Promise<Identity> {
  const found = directory.findByKey(presentedKey(req));
  if (found instanceof Promise) return found.then((key) => usable(key, directory, now));
  return usable(found, directory, now);
}

function presentedKey(req: IncomingMessage): string {
  const header = requestHeader(req, 'authorization');
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw unauthorized('Malformed Authorization header: expected "Bearer <key>"');
    return m[1];
  }
  // the Anthropic SDK and Claude Code send the key as x-api-key
  const x = requestHeader(req, 'x-api-key')?.trim();
  if (!x)
    throw unauthorized('Missing API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"', 'missing_api_key');
  return x;
}

function usable(key: KeyRow | null, directory: Directory, now: number): Identity {
  if (!key) throw unauthorized('Invalid API key');
  if (key.revoked_at) throw unauthorized('API key has been revoked', 'revoked_api_key');
  if (key.disabled) throw unauthorized('API key is disabled', 'disabled_api_key');
  if (key.expires_at && Date.parse(key.expires_at) <= now) throw unauthorized('API key has expired', 'expired_api_key');
  const account = directory.getAccount(key.account_id);
  if (!account) throw unauthorized('API key belongs to no account');
  return { key, account };
}

/** 403 when the key's role is below what the route needs */
export function requireRole(key: KeyRow, need: KeyRole): void {
  if (need !== 'user' && !roleAtLeast(key.role, need)) {
    throw forbidden(need === 'operator' ? "This route needs the operator's key" : 'This route needs an admin key');
  }
}
