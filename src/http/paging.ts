// Cursor paging of the admin lists (/v1/keys, /v1/accounts): `limit` (default 100, at most 1000) and an opaque
// `cursor` — base64url of the last row's `created_at|id`, the same form /v1/activity answers — given back as
// `next_cursor` (null on the last page). Pages are keyset reads in (created_at, id) order: stable while rows are
// added, and as cheap at the millionth key as at the first.
import type { PageAfter } from '../store/types.js';
import { badRequest } from './errors.js';

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export interface Page {
  limit: number;
  after: PageAfter | undefined;
}

export function pageOf(q: URLSearchParams): Page {
  const raw = q.get('limit');
  const limit = raw === null || raw === '' ? DEFAULT_PAGE : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw badRequest(`"limit" must be an integer 1..${MAX_PAGE}`, 'limit');
  const cursor = q.get('cursor');
  return { limit, after: cursor ? decodePageCursor(cursor) : undefined };
}

export const encodePageCursor = (r: PageAfter): string => Buffer.from(`${r.created_at}|${r.id}`).toString('base64url');

function decodePageCursor(cursor: string): PageAfter {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const created_at = text.slice(0, bar);
  const id = text.slice(bar + 1);
  if (bar < 0 || !ISO.test(created_at) || id === '')
    throw badRequest('"cursor" is not a cursor this API gave: pass the "next_cursor" of the previous page', 'cursor');
  return { created_at, id };
}

/** the page of `rows` (read with limit + 1) and the cursor of the next one */
export function pageAnswer<T extends PageAfter>(rows: T[], limit: number): { page: T[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  return { page, next_cursor: rows.length > limit ? encodePageCursor(page[page.length - 1]!) : null };
}
