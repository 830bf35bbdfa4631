// Bearer-key authentication against the in-memory directory (no storage round trip).
import type { IncomingMessage } from 'node:http';
import { forbidden, unauthorized } from './errors.js';
import { requestHeader } from '../lib/request-headers.js';
import type { AccountRow, KeyRole, KeyRow } from '../store/types.js';
import type { Directory } from '../auth/directory.js';
import { roleAtLeast } from '../auth/roles.js';

/** The key and account of a request (401 when there is none usable); the role check is requireRole's. */
export function identify(
  req: IncomingMessage,
  directory: Directory,
  now = Date.now(),
): { key: KeyRow; account: AccountRow } {
  const header = requestHeader(req, 'authorization');
  if (!header) throw unauthorized('Missing API key: send "Authorization: Bearer <key>"', 'missing_api_key');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthorized('Malformed Authorization header: expected "Bearer <key>"');
  const key = directory.findByKey(m[1]);
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
