// Reads a models.dev checkout (`providers/<p>/provider.toml`, `providers/<p>/models/**.toml`, `models/**.toml`)
// into flat entries: each provider file merged over the provider-agnostic `base_model` it names. The TOML
// parser is passed in so that src/ does not depend on the importer's devDependency.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Toml } from './facts.js';
import { PROVIDER_IDS } from './ids.js';

export interface SourceEntry {
  /** models.dev provider id */
  provider: string;
  /** the model's key under providers/<p>/models, without ".toml" (the provider-side model name) */
  key: string;
  /** the provider file, relative to the source root */
  file: string;
  /** the file the price came from (the provider file, or the base when only the base has a [cost]) */
  priceFile: string;
  /** provider file merged over its base */
  data: Toml;
  /** the base_model it names ("meta/llama-3.3-70b-instruct"), if any */
  base: string | null;
}

export interface Snapshot {
  commit: string;
  date: string;
  /** "f3fc692 2026-07-02": what each price's `source.snapshot` says */
  label: string;
}

export type ParseToml = (text: string) => Toml;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    // statSync follows symbolic links: some provider files link to another provider's file
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (name.endsWith('.toml')) out.push(p);
  }
  return out;
}

function isTable(v: unknown): v is Toml {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** tables merge key by key, everything else (arrays included) is replaced by the overlay */
export function mergeToml(base: Toml, overlay: Toml): Toml {
  const out: Toml = { ...base };
  for (const [k, v] of Object.entries(overlay)) out[k] = isTable(v) && isTable(out[k]) ? mergeToml(out[k], v) : v;
  return out;
}

/** drops one dotted path from a (cloned) table */
function omit(t: Toml, path: string): void {
  const parts = path.split('.');
  let cur: unknown = t;
  for (const p of parts.slice(0, -1)) cur = isTable(cur) ? cur[p] : undefined;
  if (isTable(cur)) delete cur[parts[parts.length - 1]];
}

export function readSnapshot(root: string): Snapshot {
  const text = readFileSync(join(root, 'SOURCE.md'), 'utf8');
  const m = /commit\s+([0-9a-f]{40})\s*\((\d{4}-\d{2}-\d{2})\)/.exec(text.replace(/\s+/g, ' '));
  if (!m) throw new Error(`${root}/SOURCE.md names no "commit <sha> (<date>)"`);
  return { commit: m[1], date: m[2], label: `${m[1].slice(0, 7)} ${m[2]}` };
}

export function readModelsDev(root: string, parse: ParseToml, providers = Object.keys(PROVIDER_IDS)): SourceEntry[] {
  const baseCache = new Map<string, Toml | null>();
  const baseOf = (id: string): Toml | null => {
    if (!baseCache.has(id)) {
      try {
        baseCache.set(id, parse(readFileSync(join(root, 'models', `${id}.toml`), 'utf8')));
      } catch {
        baseCache.set(id, null);
      }
    }
    return baseCache.get(id)!;
  };
  const entries: SourceEntry[] = [];
  for (const provider of providers) {
    const dir = join(root, 'providers', provider, 'models');
    if (!existsSync(dir)) continue;
    for (const path of walk(dir)) {
      const own = parse(readFileSync(path, 'utf8'));
      const file = relative(root, path);
      const key = relative(dir, path).replace(/\.toml$/, '');
      const base = typeof own.base_model === 'string' ? own.base_model : null;
      let data = own;
      let priceFile = file;
      if (base) {
        const b = baseOf(base);
        if (b) {
          let trimmed = b;
          if (Array.isArray(own.base_model_omit)) {
            trimmed = structuredClone(b);
            for (const p of own.base_model_omit as string[]) omit(trimmed, p);
          }
          data = mergeToml(trimmed, own);
          if (!own.cost && b.cost) priceFile = `models/${base}.toml`;
        }
      }
      entries.push({ provider, key, file, priceFile, data, base });
    }
  }
  return entries;
}
