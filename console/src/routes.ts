// THE page registry: one line per page, path → lazily imported module (each page is its own chunk, loaded on
// first visit, so the first page's script stays small). To add a page: write console/src/pages/<name>.tsx with a
// default export taking PageProps, and add its line here. `nav` puts it in the header (in this order);
// `adminOnly` shows it to admin and operator keys only (the API refuses the others anyway).
import type { ComponentType } from 'preact';
import type { Session } from './session';

export interface PageProps {
  /** the path's `:name` segments, decoded */
  params: Record<string, string>;
  /** the hash's query (`#/models?q=mini` → q=mini): filter state lives here so it is linkable */
  query: URLSearchParams;
  session: Session;
}

export interface PageModule {
  default: ComponentType<PageProps>;
}

export interface PageRoute {
  /** `/models/:author/:slug`: each `:name` is one segment */
  path: string;
  title: string;
  load: () => Promise<PageModule>;
  /** the header link's text; absent = not in the header */
  nav?: string;
  adminOnly?: boolean;
}

export const ROUTES: PageRoute[] = [
  { path: '/models', title: 'Models', nav: 'Models', load: () => import('./pages/models') },
  { path: '/models/:author/:slug', title: 'Model', load: () => import('./pages/model') },
  { path: '/playground', title: 'Playground', nav: 'Playground', load: () => import('./pages/playground') },
  { path: '/activity', title: 'Activity', nav: 'Activity', load: () => import('./pages/activity') },
  { path: '/activity/:id', title: 'Generation', load: () => import('./pages/generation') },
  { path: '/keys', title: 'Keys', nav: 'Keys', adminOnly: true, load: () => import('./pages/keys') },
  { path: '/accounts', title: 'Accounts', nav: 'Accounts', adminOnly: true, load: () => import('./pages/accounts') },
];

/** where `/` and sign-in land */
export const DEFAULT_PATH = '/models';

export function matchRoute(path: string): { route: PageRoute; params: Record<string, string> } | null {
  const parts = path.replace(/\/+$/, '').split('/');
  for (const route of ROUTES) {
    const segs = route.path.split('/');
    if (segs.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segs.length && ok; i++) {
      if (segs[i].startsWith(':')) {
        try {
          params[segs[i].slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
        }
        ok &&= parts[i] !== '';
      } else ok = segs[i] === parts[i];
    }
    if (ok) return { route, params };
  }
  return null;
}
