// npm run catalog:build [-- <models.dev dir>]: rebuilds the built-in catalog (src/catalog/data/catalog.json)
// from a models.dev snapshot plus the curated facts of scripts/catalog-overrides.json. Run by hand when the
// snapshot is refreshed; the output is committed. Prints what it imported and what it skipped, and why.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { Catalog } from '../src/catalog/catalog.js';
import { importModelsDev } from '../src/catalog/modelsdev/build.js';
import { addRetired, applyCurated, type CuratedModel } from '../src/catalog/modelsdev/curated.js';
import { readModelsDev, readSnapshot } from '../src/catalog/modelsdev/read.js';
import type { ModelDef, ProviderDef } from '../src/catalog/types.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Overrides {
  providers: ProviderDef[];
  ids?: Record<string, string>;
  skip?: Record<string, string>;
  deprecation_grace_days?: number;
  models?: Record<string, CuratedModel>;
  retired_models?: ModelDef[];
}

function sourceDir(): string {
  const candidates = [
    process.argv[2],
    process.env.MODELS_DEV_DIR,
    '../shared/catalog-sources/models.dev',
    '../../shared/catalog-sources/models.dev',
  ]
    .filter((x): x is string => !!x)
    .map((p) => resolve(repo, p));
  const found = candidates.find((p) => existsSync(join(p, 'SOURCE.md')));
  if (!found) throw new Error(`no models.dev snapshot found (tried ${candidates.join(', ')}); pass its directory`);
  return found;
}

const root = sourceDir();
const overrides = JSON.parse(readFileSync(join(repo, 'scripts/catalog-overrides.json'), 'utf8')) as Overrides;
const snapshot = readSnapshot(root);
const entries = readModelsDev(root, parse as (t: string) => Record<string, unknown>);
const { data, skipped } = importModelsDev(entries, {
  snapshot: snapshot.label,
  snapshotDate: snapshot.date,
  providers: overrides.providers,
  ids: overrides.ids,
  skip: overrides.skip,
  deprecationGraceDays: overrides.deprecation_grace_days,
});
const problems = [...applyCurated(data, overrides.models ?? {}), ...addRetired(data, overrides.retired_models ?? [])];
new Catalog(data); // the same validation the server runs at start-up
writeFileSync(join(repo, 'src/catalog/data/catalog.json'), JSON.stringify(data, null, 1) + '\n');

const reasons = new Map<string, number>();
for (const s of skipped)
  reasons.set(s.reason.replace(/".*"/, '"…"'), (reasons.get(s.reason.replace(/".*"/, '"…"')) ?? 0) + 1);
const endpoints = data.models.reduce((n, m) => n + m.endpoints.length, 0);
const used = new Set(data.models.flatMap((m) => m.endpoints.map((e) => e.provider)));
console.log(`models.dev ${snapshot.label}: ${entries.length} entries read`);
console.log(
  `catalog: ${data.models.length} models, ${endpoints} endpoints, ${used.size}/${data.providers.length} providers`,
);
console.log(`skipped ${skipped.length}:`);
for (const [r, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${r}`);
if (process.env.VERBOSE) for (const s of skipped) console.log(`    ${s.entry}: ${s.reason}`);
for (const p of problems) console.log(`warning: ${p}`);
if (problems.length) process.exitCode = 1;
