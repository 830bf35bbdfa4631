#!/usr/bin/env node
// The import graph must read like the folder tree, which is the request's walk: a module imports only from
// folders below its own, and no two modules import each other, directly or through others. Run by `npm run
// lint` (and so by `npm test`); prints each offending import and exits 1.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// bottom first; one rank per layer. Folders of equal rank may not import each other.
const RANK = {
  lib: 0,
  protocol: 1,
  catalog: 2,
  store: 2,
  config: 3,
  sim: 3,
  providers: 3,
  inbound: 3, // inbound API adapters (chat, messages, responses): wire format ↔ the canonical protocol, pure
  accounting: 4,
  auth: 4,
  routing: 5,
  pipeline: 6, // one request's life (admit → reserve → plan → execute → deliver → settle), for every inbound API
  telemetry: 6, // metrics (and traces) fed by the request observer (routing/observer.ts); wired in app.ts
  http: 7,
  '.': 8, // src/app.ts: wires everything
  cli: 9,
};

const SRC = resolve('src');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.(ts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const layer = (file) => {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0] : '.';
};

const IMPORT = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'/gm;
const problems = [];
const graph = new Map();
const files = walk(SRC);
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const deps = [];
  for (const m of text.matchAll(IMPORT)) {
    const target = resolve(dirname(file), m[3]).replace(/\.js$/, '.ts');
    const from = layer(file);
    const to = layer(target);
    if (!(to in RANK) || !(from in RANK)) problems.push(`${relative('.', file)}: unknown layer of ${m[3]}`);
    // the one upward edge allowed: handlers receive the composed App, so http/ may name its type (no code runs)
    else if (m[2] && to === '.' && from === 'http') continue;
    else if (from !== to && RANK[to] >= RANK[from]) {
      problems.push(`${relative('.', file)} (${from}) imports ${m[3]} (${to}): a layer may only import from below it`);
    }
    if (!m[2]) deps.push(target);
  }
  graph.set(file, deps);
}

// runtime cycles (type-only imports vanish at run time, and do not count)
const state = new Map();
const stack = [];
function visit(f) {
  state.set(f, 1);
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (!graph.has(d)) continue;
    if (state.get(d) === 1) {
      const cycle = stack
        .slice(stack.indexOf(d))
        .concat(d)
        .map((x) => relative('.', x));
      problems.push(`import cycle: ${cycle.join(' → ')}`);
    } else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(f, 2);
}
for (const f of files) if (!state.has(f)) visit(f);

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} import(s) break the layering (scripts/check-imports.mjs).`);
  process.exit(1);
}
console.log(`imports: ${files.length} modules, layering and cycles OK`);
