// `arouter models`: the catalog as GET /v1/models would list it, with the same filters.
import { Catalog, loadBuiltinCatalog } from '../catalog/catalog.js';
import { filterModels, parseModalities, parseParams, publicModel } from '../catalog/view.js';
import { ProviderRegistry } from '../providers/registry.js';
import { applySynced, providerNames } from '../catalog/sync/merge.js';
import { loadSyncedState } from '../catalog/sync/state.js';
import { configFrom, parse } from './args.js';

export async function modelsCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    'output-modalities': { type: 'string' },
    'supported-parameters': { type: 'string' },
    'all-providers': { type: 'boolean' },
  });
  const config = configFrom(values);
  // what the server would serve: built-in ← the synced state in the data dir ← config
  const builtin = loadBuiltinCatalog();
  const synced = applySynced(
    builtin,
    loadSyncedState(config.dataDir).state,
    Date.now(),
    providerNames(builtin, config.catalog),
  );
  const catalog = new Catalog(synced.data, config.catalog);
  const available = values['all-providers']
    ? new Set(catalog.providers.keys())
    : new Set(new ProviderRegistry(catalog, process.env, null, config.providerKeys).configured.keys());
  let modalities;
  try {
    modalities = parseModalities(values['output-modalities'] ?? null);
  } catch (err) {
    console.error(`arouter: --output-modalities: ${(err as Error).message}`);
    return 2;
  }
  const models = filterModels(
    catalog.models,
    available,
    modalities,
    parseParams(values['supported-parameters'] ?? null),
  );
  if (values.json) {
    console.log(JSON.stringify({ data: models.map(publicModel) }, null, 2));
    return 0;
  }
  if (available.size === 0) {
    console.error(
      'No provider is configured (no API key env var set): nothing is listed. Use --all-providers to see the whole catalog.',
    );
  }
  for (const m of models) {
    const p = publicModel(m).pricing;
    const perM = (s: string) => (Number(s) * 1e6).toFixed(2);
    console.log(
      `${m.id.padEnd(48)} ctx ${String(m.context_length).padStart(8)}  $${perM(p.prompt)}/$${perM(p.completion)} per M  ${m.architecture.output_modalities.join('+')}`,
    );
  }
  return 0;
}
