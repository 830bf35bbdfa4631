#!/usr/bin/env node
// Prints the fidelity matrix (inbound API × upstream dialect × feature) as Markdown, from the same cases table
// the end-to-end matrix test runs (test/fidelity/cases.ts). `--write` updates docs/fidelity-matrix.md and the
// compact table in README.md (between its fidelity-matrix markers), which test/fidelity/markdown.test.ts compares
// with the table, so the manual cannot drift from the tests.
// Usage: node scripts/fidelity-matrix.mjs [--write]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const { renderMarkdown, renderCompact } = await tsImport('../test/fidelity/cases.ts', import.meta.url);
const md = renderMarkdown();
if (process.argv.includes('--write')) {
  const out = fileURLToPath(new URL('../docs/fidelity-matrix.md', import.meta.url));
  writeFileSync(out, md);
  const readme = fileURLToPath(new URL('../README.md', import.meta.url));
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- fidelity-matrix:start -->\n';
  const end = '<!-- fidelity-matrix:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error('README.md has no fidelity-matrix markers');
  writeFileSync(readme, text.slice(0, i + start.length) + renderCompact() + text.slice(j));
  console.log(`wrote ${out} and README.md`);
} else process.stdout.write(md);
