// The console's entry: styles, the theme before the first paint, then the shell. Every page is a lazy chunk
// (routes.ts); this file and what it imports statically is the first page's script budget (150 KB gzipped,
// checked by scripts/build-console.mjs).
// CSS is imported here only: esbuild would put CSS imported by a lazy page in a file nothing loads.
import './styles.css';
import './activity.css';
import './playground.css';
import { render } from 'preact';
import { Shell } from './shell';
import { applyTheme } from './theme';

applyTheme();
render(<Shell />, document.getElementById('app')!);
