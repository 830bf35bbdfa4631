// A tiny router: exact paths in a Map (the hot routes), parameterised paths matched segment by segment, the most
// literal segments first (so /v1/models/:id/endpoints wins over /v1/models/:author/:slug). A parameter is one
// segment, decoded: an id sent URL-encoded (`openai%2Fgpt-4o-mini`, as the openai SDK does) arrives whole.
import type { Route } from './context.js';

interface Compiled {
  route: Route;
  segments: string[];
}

export type Match =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

export class Router {
  private exact = new Map<string, Map<string, Route>>();
  private patterns: Compiled[] = [];

  add(route: Route): void {
    if (!route.path.includes(':')) {
      let byMethod = this.exact.get(route.path);
      if (!byMethod) this.exact.set(route.path, (byMethod = new Map()));
      byMethod.set(route.method, route);
    } else {
      const segments = route.path.split('/');
      const literals = (c: Compiled) => c.segments.filter((x) => !x.startsWith(':')).length;
      const compiled = { route, segments };
      const at = this.patterns.findIndex((c) => literals(c) < literals(compiled));
      this.patterns.splice(at < 0 ? this.patterns.length : at, 0, compiled);
    }
  }

  match(method: string, pathname: string): Match {
    const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
    const byMethod = this.exact.get(path);
    if (byMethod) {
      const r = byMethod.get(method);
      return r
        ? { kind: 'found', route: r, params: {} }
        : { kind: 'method_not_allowed', allowed: [...byMethod.keys()] };
    }
    const parts = path.split('/');
    const allowed: string[] = [];
    for (const c of this.patterns) {
      if (c.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const s = c.segments[i];
        if (s.startsWith(':')) {
          if (!parts[i]) {
            ok = false;
            break;
          }
          try {
            params[s.slice(1)] = decodeURIComponent(parts[i]);
          } catch {
            ok = false;
            break;
          }
        } else if (s !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (c.route.method === method) return { kind: 'found', route: c.route, params };
      allowed.push(c.route.method);
    }
    return allowed.length ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
  }
}
