// What `arouter serve` does and says once per start, whether it runs one process or a primary and its workers:
// the demo's simulated upstreams, the first-start operator key, the listening line and the no-provider hint.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Directory } from '../auth/directory.js';
import type { Dialect } from '../catalog/types.js';
import type { Config } from '../config/load.js';
import type { SimUpstream } from '../sim/index.js';
import { openStorage } from '../storage.js';

export async function startDemoUpstreams(
  host = '127.0.0.1',
): Promise<{ urls: Record<Dialect, string>; sims: SimUpstream[] }> {
  // imported only in demo mode: the simulators compile the providers' request schemas at load (~8 MB)
  const { startSimUpstream } = await import('../sim/index.js');
  const sims = await Promise.all(
    (['openai', 'anthropic', 'gemini'] as const).map((dialect) => startSimUpstream({ dialect, host, port: 0 })),
  );
  return { urls: { openai: sims[0].url, anthropic: sims[1].url, gemini: sims[2].url }, sims };
}

/**
 * Migrates and creates the default account and the operator key when the storage has none, before any worker
 * starts: N workers bootstrapping an empty database together would each create (and print) an operator key.
 * Resolves with the new key, or null when the storage already had one.
 */
export async function bootstrapStorage(config: Config): Promise<string | null> {
  const store = openStorage(config);
  try {
    await store.migrate();
    const dir = new Directory(store, config.adminKey);
    await dir.load();
    return (await dir.bootstrap()).adminKey;
  } finally {
    await store.close();
  }
}

export function announceAdminKey(config: Config, key: string): void {
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'admin-key.txt');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  console.error(
    `\nFirst start: created the default account and its operator key (the deployment's superuser). It is shown only this once:\n\n  ${key}\n\n` +
      `Saved to ${file} (mode 0600).${config.console.enabled ? ' Sign in to the web console with it.' : ''} Create user keys with \`arouter keys create --name NAME\` or POST /v1/keys.\n`,
  );
}

export function announceListening(config: Config, base: string, providers: number, workers = 1): void {
  const extras = [
    ...(workers > 1 ? [`${workers} workers`] : []),
    ...(config.demo ? ['demo mode: simulated upstreams, no provider keys needed'] : []),
  ];
  console.error(`ARouter listening on ${base}${extras.length ? ` (${extras.join('; ')})` : ''}`);
  // the console is served on the API's origin: base without its /v1
  if (config.console.enabled) console.error(`Web console: ${base.replace(/\/v1$/, '/')} (sign in with a key)`);
  if (!config.demo && providers === 0) {
    console.error(
      '\nNo provider is configured: no provider API key is set (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, ...),\n' +
        'so no model is listed or routable. To try every feature without keys, run the demo:\n\n' +
        '  npm run demo            (or: npx arouter serve --demo)\n',
    );
  }
}
