// The committed docs/fidelity-matrix.md is what test/fidelity/cases.ts says, so the manual's matrix cannot drift
// from the cells the matrix test runs; and the script that writes it prints the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { APIS, DIALECTS, EXCEPTIONS, FEATURES, cells, renderCompact, renderMarkdown } from './cases.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('docs/fidelity-matrix.md is the cases table rendered (run node scripts/fidelity-matrix.mjs --write)', () => {
  const committed = readFileSync(`${root}docs/fidelity-matrix.md`, 'utf8');
  assert.equal(committed, renderMarkdown());
});

test("README's compact matrix is the cases table rendered (run node scripts/fidelity-matrix.mjs --write)", () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const start = '<!-- fidelity-matrix:start -->\n';
  const between = readme.slice(readme.indexOf(start) + start.length, readme.indexOf('<!-- fidelity-matrix:end -->'));
  assert.equal(between, renderCompact());
});

test('scripts/fidelity-matrix.mjs prints the same Markdown', () => {
  const out = execFileSync(process.execPath, ['scripts/fidelity-matrix.mjs'], { cwd: root, encoding: 'utf8' });
  assert.equal(out, renderMarkdown());
});

test('every cell is in the table once, and every exception names a real cell', () => {
  const all = cells();
  assert.equal(all.length, APIS.length * DIALECTS.length * FEATURES.length);
  assert.equal(new Set(all.map((c) => `${c.api}/${c.dialect}/${c.feature}`)).size, all.length);
  for (const key of Object.keys(EXCEPTIONS)) assert.ok(all.some((c) => `${c.api}/${c.dialect}/${c.feature}` === key));
  const md = renderMarkdown();
  for (const api of APIS) for (const f of FEATURES) assert.ok(md.includes(`| ${f.title} |`), `${api} ${f.id}`);
  for (const c of all)
    if (c.outcome.kind === 'unsupported') assert.ok(md.includes(c.outcome.message.replace(/\|/g, '\\|')), c.feature);
});
