// A provider's own model name (what Anthropic's and OpenAI's clients send: `claude-sonnet-4-5-20250929`,
// `gpt-5`) as the catalog model it names, so those clients work without renaming models. Used by the inbound
// APIs of those providers only: Chat Completions clients name catalog ids.
import type { Catalog } from '../catalog/catalog.js';

const byCatalog = new WeakMap<Catalog, Map<string, string>>();

function index(catalog: Catalog): Map<string, string> {
  let m = byCatalog.get(catalog);
  if (m === undefined) {
    m = new Map();
    for (const model of catalog.models)
      for (const e of model.endpoints)
        if (!m.has(`${e.provider}:${e.model}`)) m.set(`${e.provider}:${e.model}`, model.id);
    byCatalog.set(catalog, m);
  }
  return m;
}

/**
 * The catalog id for `name` as `provider` spells it; `name` itself when the catalog knows it (or nothing matches,
 * so the usual 404 names what the client sent). A dated snapshot (`-20250929`) the catalog lacks falls back to
 * its undated alias, as the provider's own alias would.
 */
export function catalogIdForNative(catalog: Catalog, name: string, provider: string): string {
  if (name.includes('/') || catalog.get(name) !== undefined) return name;
  const m = index(catalog);
  const direct =
    m.get(`${provider}:${name}`) ?? (catalog.get(`${provider}/${name}`) ? `${provider}/${name}` : undefined);
  if (direct !== undefined) return direct;
  const undated = name.replace(/-\d{8}$/, '');
  if (undated !== name) return m.get(`${provider}:${undated}`) ?? name;
  return name;
}
