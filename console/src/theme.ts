// Light and dark: the system's choice (prefers-color-scheme) until the person picks one with the header's
// toggle, which is remembered in localStorage (a preference, not a secret). The page's colours read
// [data-theme] on <html> (styles.css).

const STORAGE = 'arouter.console.theme';
export type Theme = 'light' | 'dark';

function stored(): Theme | null {
  try {
    const v = localStorage.getItem(STORAGE);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null;
  }
}

const systemDark = () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;

export function currentTheme(): Theme {
  return stored() ?? (systemDark() ? 'dark' : 'light');
}

export function applyTheme(): Theme {
  const t = currentTheme();
  document.documentElement.dataset.theme = t;
  return t;
}

/** follows the system while nothing is stored */
export function watchSystemTheme(onChange: (t: Theme) => void): () => void {
  const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
  if (!mq) return () => {};
  const fn = () => {
    if (!stored()) onChange(applyTheme());
  };
  mq.addEventListener('change', fn);
  return () => mq.removeEventListener('change', fn);
}

export function setTheme(t: Theme): void {
  try {
    localStorage.setItem(STORAGE, t);
  } catch {
    // not remembered, still applied
  }
  document.documentElement.dataset.theme = t;
}
