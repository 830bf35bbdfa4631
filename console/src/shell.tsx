// The app shell: sign-in when no key is held, else the header (nav, theme, sign-out) and the current page,
// loaded on first visit from the registry (routes.ts).
import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from './api';
import { ErrorState, Loading } from './components/states';
import { DEFAULT_PATH, ROUTES, matchRoute, type PageProps, type PageRoute } from './routes';
import { href, navigate, useLocation, useTitle } from './router';
import { makeSession, onSignOut, signOut, storedKey, type KeyInfo, type Session } from './session';
import { SignIn } from './signin';
import { applyTheme, setTheme, watchSystemTheme, type Theme } from './theme';

type Boot = { state: 'checking' } | { state: 'out'; notice: string | null } | { state: 'in'; session: Session };

export function Shell() {
  const [boot, setBoot] = useState<Boot>(() => (storedKey() ? { state: 'checking' } : { state: 'out', notice: null }));

  useEffect(() => onSignOut((reason) => setBoot({ state: 'out', notice: reason })), []);
  useEffect(() => {
    // a reload keeps the tab's key: ask again who it is (it may have been revoked meanwhile)
    const key = storedKey();
    if (!key) return;
    api<{ data: KeyInfo }>('/v1/key').then(
      ({ data }) => setBoot({ state: 'in', session: makeSession(key, data) }),
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) return; // signOut already said why
        setBoot({ state: 'out', notice: err instanceof ApiError ? err.message : String(err) });
      },
    );
  }, []);

  if (boot.state === 'checking') return <Loading label="Signing in…" />;
  if (boot.state === 'out') {
    return (
      <SignIn
        notice={boot.notice}
        onSignedIn={(session) => {
          setBoot({ state: 'in', session });
          if (!matchRoute(location.hash.replace(/^#/, '').split('?')[0])) navigate(DEFAULT_PATH);
        }}
      />
    );
  }
  return <Signed session={boot.session} />;
}

function visible(r: PageRoute, s: Session): boolean {
  return !r.adminOnly || s.isAdmin;
}

function Signed({ session }: { session: Session }) {
  const loc = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const [theme, setThemeState] = useState<Theme>(() => applyTheme());
  useEffect(() => watchSystemTheme(setThemeState), []);
  const arrived = useRef(false);
  useEffect(() => {
    setMenuOpen(false);
    // a new page: focus its content, so a keyboard or screen-reader user starts there, not in the header
    if (arrived.current) document.getElementById('main')?.focus();
    arrived.current = true;
  }, [loc.path]);

  const path = loc.path === '/' ? DEFAULT_PATH : loc.path;
  const found = matchRoute(path);
  const nav = ROUTES.filter((r) => r.nav && visible(r, session));
  const next: Theme = theme === 'dark' ? 'light' : 'dark';

  return (
    <div class="app">
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href(DEFAULT_PATH)}>
          ARouter
        </a>
        <button
          type="button"
          class="btn menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="main-nav" class={`nav ${menuOpen ? 'open' : ''}`} aria-label="Main">
          {nav.map((r) => {
            const current = path === r.path || path.startsWith(r.path + '/');
            return (
              <a key={r.path} href={href(r.path)} aria-current={current ? 'page' : undefined}>
                {r.nav}
              </a>
            );
          })}
        </nav>
        <div class="top-end">
          <span class="who" title={`Signed in as ${session.info.name} (${session.info.role})`}>
            <span class="who-name">{session.info.name}</span> <span class="badge">{session.info.role}</span>
          </span>
          <button
            type="button"
            class="btn btn-ghost theme-toggle"
            aria-label={`Switch to ${next} theme`}
            title={`Switch to ${next} theme`}
            onClick={() => {
              setTheme(next);
              setThemeState(next);
            }}
          >
            {theme === 'dark' ? 'Light' : 'Dark'}
          </button>
          <button type="button" class="btn sign-out" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {found && visible(found.route, session) ? (
          <Page
            key={found.route.path}
            route={found.route}
            props={{ params: found.params, query: loc.query, session }}
          />
        ) : found ? (
          <NeedsAdmin route={found.route} session={session} />
        ) : (
          <NotFound path={path} />
        )}
      </main>
    </div>
  );
}

const loaded = new Map<PageRoute, ComponentType<PageProps>>();

function Page({ route, props }: { route: PageRoute; props: PageProps }) {
  useTitle(route.title);
  const [Comp, setComp] = useState<ComponentType<PageProps> | null>(() => loaded.get(route) ?? null);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (Comp) return;
    let live = true;
    route.load().then(
      (m) => {
        loaded.set(route, m.default);
        if (live) setComp(() => m.default);
      },
      () => live && setError(`The ${route.title} page could not be loaded: is the server still running?`),
    );
    return () => {
      live = false;
    };
  }, [route, round]);
  if (error)
    return (
      <ErrorState
        error={error}
        onRetry={() => {
          setError(null);
          setRound(round + 1);
        }}
      />
    );
  if (!Comp) return <Loading />;
  return <Comp {...props} />;
}

function NotFound({ path }: { path: string }) {
  useTitle('Not found');
  return (
    <section class="page">
      <h1>Page not found</h1>
      <p>
        Nothing is at <code>{path}</code> in the console. <a href={href(DEFAULT_PATH)}>Browse the models</a>.
      </p>
    </section>
  );
}

/** an admin page opened with a user key (a link, a bookmark): say what it needs instead of "not found" */
function NeedsAdmin({ route, session }: { route: PageRoute; session: Session }) {
  useTitle(route.title);
  return (
    <section class="page">
      <h1>{route.title}</h1>
      <div class="state state-error" role="alert">
        <p class="state-title">This page needs an admin key</p>
        <p>
          You are signed in with a {session.info.role} key, which may not manage keys or accounts. Sign out and sign in
          with an admin or operator key to use this page.
        </p>
      </div>
    </section>
  );
}
