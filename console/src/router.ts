// Hash routing: every console page lives after the `#` (/#/models/openai/gpt-4o?q=mini), so the server serves one
// index.html at / and never needs to know the console's paths; a page's state in its query is a link to share.
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  /** `/models/openai/gpt-4o` (always starts with `/`) */
  path: string;
  query: URLSearchParams;
}

const CHANGED = 'arouter:location';

export function parseHash(hash: string): Location {
  const h = hash.replace(/^#/, '');
  const q = h.indexOf('?');
  const path = (q < 0 ? h : h.slice(0, q)) || '/';
  return { path: path.startsWith('/') ? path : '/' + path, query: new URLSearchParams(q < 0 ? '' : h.slice(q + 1)) };
}

export type QueryValues = Record<string, string | number | boolean | null | undefined>;

function queryString(query?: QueryValues | URLSearchParams): string {
  if (!query) return '';
  const p = query instanceof URLSearchParams ? query : new URLSearchParams();
  if (!(query instanceof URLSearchParams)) {
    for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? '?' + s : '';
}

/** a link target: href('/models', { q: 'mini' }) → `#/models?q=mini` */
export function href(path: string, query?: QueryValues | URLSearchParams): string {
  return '#' + path + queryString(query);
}

/** a model id as a path: `openai/gpt-4o` → `/models/openai/gpt-4o` (each part encoded) */
export function modelPath(id: string): string {
  return '/models/' + id.split('/').map(encodeURIComponent).join('/');
}

export function navigate(path: string, query?: QueryValues | URLSearchParams, opts: { replace?: boolean } = {}): void {
  const target = href(path, query);
  if (opts.replace) {
    history.replaceState(history.state, '', target);
    window.dispatchEvent(new Event(CHANGED));
  } else location.hash = target;
}

/**
 * merges `changes` into the current page's query (null or '' removes a key) without a new history entry:
 * filters typed one letter at a time should not each be a step of the Back button
 */
export function setQuery(changes: QueryValues): void {
  const cur = parseHash(location.hash);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '' || v === false) cur.query.delete(k);
    else cur.query.set(k, String(v));
  }
  navigate(cur.path, cur.query, { replace: true });
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setLoc(parseHash(location.hash));
    window.addEventListener('hashchange', update);
    window.addEventListener(CHANGED, update);
    return () => {
      window.removeEventListener('hashchange', update);
      window.removeEventListener(CHANGED, update);
    };
  }, []);
  return loc;
}

/** the tab's title while a page shows */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · ARouter` : 'ARouter';
  }, [title]);
}
