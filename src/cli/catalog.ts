// `arouter catalog sync|status`: the runtime catalog sync from the command line. `sync` asks every configured
// provider (API key set in this environment) for its model list, like the server does, and writes the synced
// state to the data dir; a running server with the same data dir picks it up at its next sync (it re-reads a
// state file newer than its own) or at its next start. `status` reads that file.
import { Logger } from '../lib/log.js';
import { Catalog, loadBuiltinCatalog } from '../catalog/catalog.js';
import { CatalogSync } from '../providers/catalog-sync.js';
import { ProviderRegistry } from '../providers/registry.js';
import { Transport } from '../providers/transport.js';
import { configFrom, parse } from './args.js';

export async function catalogCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'sync' && sub !== 'status') {
    console.error('Usage: arouter catalog sync|status [--json] [--data-dir DIR] [--config FILE]');
    return 2;
  }
  const { values } = parse(rest, {});
  const config = configFrom(values);
  const log = new Logger(config.logLevel === 'silent' ? 'silent' : 'warn', (t) => process.stderr.write(t));
  const transport = new Transport(config.upstream, log);
  const builtin = loadBuiltinCatalog();
  const registry = new ProviderRegistry(new Catalog(builtin, config.catalog), process.env, null, config.providerKeys);
  const engine = new CatalogSync(
    config.dataDir,
    builtin,
    config.catalog,
    config.catalogSync,
    () => registry.configured.values(),
    transport,
    log,
  );
  try {
    let catalog = engine.build();
    if (sub === 'sync') {
      if (registry.configured.size === 0) {
        console.error('No provider is configured (no API key env var set): there is nothing to sync.');
        return 1;
      }
      engine.onCatalog = (c) => (catalog = c);
      await engine.syncNow();
    }
    const status = engine.status();
    const unpriced = catalog.models.filter((m) => m.endpoints.every((e) => e.unpriced === true)).length;
    if (values.json) {
      console.log(
        JSON.stringify(
          { data: { catalog: { models: catalog.models.length, unpriced_models: unpriced }, ...status } },
          null,
          2,
        ),
      );
    } else {
      console.log(
        `catalog: ${catalog.models.length} models (${unpriced} unpriced, listed to admin keys only)  state: ${status.file}`,
      );
      if (status.metadata.url)
        console.log(
          `metadata: ${status.metadata.url}  fetched ${status.metadata.fetched_at ?? 'never'}${status.metadata.error ? `  error: ${status.metadata.error}` : ''}`,
        );
      for (const p of status.providers) {
        const what =
          p.skipped ??
          `last sync ${p.last_sync ?? 'never'}  seen ${p.models_seen}  added ${p.models_added}  removed ${p.models_removed}`;
        console.log(`${p.id.padEnd(12)} ${what}${p.last_error ? `  ERROR: ${p.last_error}` : ''}`);
      }
    }
    return sub === 'sync' && status.providers.some((p) => p.last_error && !p.skipped) ? 1 : 0;
  } finally {
    await transport.close();
  }
}
