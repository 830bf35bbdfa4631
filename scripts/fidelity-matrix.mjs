#!/usr/bin/env node
// Prints the fidelity matrix (inbound API × upstream dialect × feature) as Markdown, from the same cases table
// the end-to-end matrix test runs (test/fidelity/cases.ts). `--write` updates docs/fidelity-matrix.md, which
// test/fidelity/markdown.test.ts compares with the table, so the manual cannot drift from the tests.
// Usage: node scripts/fidelity-matrix.mjs [--write]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const { renderMarkdown } = await tsImport('../test/fidelity/cases.ts', import.meta.url);
const md = renderMarkdown();
if (process.argv.includes('--write')) {
  const out = fileURLToPath(new URL('../docs/fidelity-matrix.md', import.meta.url));
  writeFileSync(out, md);
  console.log(`wrote ${out}`);
} else process.stdout.write(md);
