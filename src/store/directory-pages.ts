// Keyset pages of keys and accounts, for both engines: ordered by (created_at, id), each page reads `limit`
// entries of an index whatever its depth (OFFSET would walk every skipped row: at 1 M keys the last page would
// read them all). Indexes: migration 5. `?` placeholders (PostgreSQL's are numbered by postgres-statements.ts).
import type { KeyPageQuery, PageAfter } from './types.js';

export interface PageSql {
  sql: string;
  vals: unknown[];
}

/**
 * `rowCompare`: PostgreSQL reads `(created_at, id) > (?, ?)` as one index range; SQLite gets the range from
 * `created_at >= ?` and breaks ties with the rest.
 */
function afterSql(after: PageAfter | undefined, rowCompare: boolean, where: string[], vals: unknown[]): void {
  if (!after) return;
  if (rowCompare) {
    where.push('(created_at, id) > (?, ?)');
    vals.push(after.created_at, after.id);
  } else {
    where.push('created_at >= ? AND (created_at > ? OR id > ?)');
    vals.push(after.created_at, after.created_at, after.id);
  }
}

export function keyPageSql(q: KeyPageQuery, rowCompare: boolean): PageSql {
  const where: string[] = [];
  const vals: unknown[] = [];
  if (q.account_id !== undefined) {
    where.push('account_id = ?');
    vals.push(q.account_id);
  }
  if (!q.include_revoked) where.push('revoked_at IS NULL');
  if (q.roles) {
    where.push(`role IN (${q.roles.map(() => '?').join(', ') || 'NULL'})`);
    vals.push(...q.roles);
  }
  afterSql(q.after, rowCompare, where, vals);
  vals.push(q.limit);
  const cond = where.length ? `WHERE ${where.join(' AND ')} ` : '';
  return { sql: `SELECT * FROM api_keys ${cond}ORDER BY created_at, id LIMIT ?`, vals };
}

export function accountPageSql(q: { after?: PageAfter; limit: number }, rowCompare: boolean): PageSql {
  const where: string[] = [];
  const vals: unknown[] = [];
  afterSql(q.after, rowCompare, where, vals);
  vals.push(q.limit);
  const cond = where.length ? `WHERE ${where.join(' AND ')} ` : '';
  return { sql: `SELECT * FROM accounts ${cond}ORDER BY created_at, id LIMIT ?`, vals };
}
