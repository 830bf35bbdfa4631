// The key roles' order and the scoping rules every admin route applies (README "Security model"). An admin
// manages its own account only, and no key grants or touches a role above its own: issue 12 found an admin
// key of one account listing every account's keys, granting itself unlimited credits and revoking the
// operator's keys.
import type { KeyRole, KeyRow } from '../store/types.js';

const RANK: Record<KeyRole, number> = { user: 0, admin: 1, operator: 2 };

export function roleAtLeast(role: KeyRole, need: KeyRole): boolean {
  return RANK[role] >= RANK[need];
}

/** may `actor` see and manage the keys and the record of `accountId`? */
export function canManageAccount(actor: KeyRow, accountId: string): boolean {
  return actor.role === 'operator' || (actor.role === 'admin' && actor.account_id === accountId);
}

/** may `actor` read, change or revoke `target`? (its account, and a role no higher than its own) */
export function canManageKey(actor: KeyRow, target: KeyRow): boolean {
  return canManageAccount(actor, target.account_id) && roleAtLeast(actor.role, target.role);
}
