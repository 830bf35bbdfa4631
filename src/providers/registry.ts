// Which providers this deployment can call, with which key. A provider whose API key env var is unset is
// "not configured": its models are neither listed nor routed to. In demo mode every provider is rewired to
// the in-process simulated upstream of its dialect.
import type { Catalog } from '../catalog/catalog.js';
import type { Dialect, ProviderDef } from '../catalog/types.js';
import type { AccountRow } from '../store/types.js';

export interface ConfiguredProvider {
  def: ProviderDef;
  apiKey: string;
}

export class ProviderRegistry {
  readonly configured = new Map<string, ConfiguredProvider>();
  /** demo mode: every provider answered by a simulated upstream */
  readonly simulated: boolean;
  private cache = new Map<string, Set<string>>();

  constructor(catalog: Catalog, env: NodeJS.ProcessEnv, demo: Record<Dialect, string> | null = null) {
    this.simulated = demo !== null;
    for (const def of catalog.providers.values()) {
      if (demo) {
        this.configured.set(def.id, { def: { ...def, base_url: demo[def.dialect] }, apiKey: 'demo-key' });
        continue;
      }
      const key = def.api_key_env ? env[def.api_key_env] : undefined;
      if (key) this.configured.set(def.id, { def, apiKey: key });
      else if (def.no_key) this.configured.set(def.id, { def, apiKey: '' });
    }
  }

  get(id: string): ConfiguredProvider | undefined {
    return this.configured.get(id);
  }

  /** configured ∩ the account's enabled providers (null = all); cached per distinct enabled list */
  availableFor(account: AccountRow): Set<string> {
    const sig = account.enabled_providers === null ? '*' : account.enabled_providers.join(',');
    let set = this.cache.get(sig);
    if (!set) {
      set = new Set(
        [...this.configured.keys()].filter(
          (id) => account.enabled_providers === null || account.enabled_providers.includes(id),
        ),
      );
      this.cache.set(sig, set);
    }
    return set;
  }
}
