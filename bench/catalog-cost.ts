// The catalog at its real size: how many models and providers the built-in catalog serves when every provider
// is configured, how long an ARouter with it takes to start, and what `GET /v1/models` costs — the first answer
// (serialised once per catalog version) and the cached one under load. In-process, on a listening server, with
// no provider reached (dummy keys, catalog sync off). `npm run bench` prints it as an `info` line; alone:
//   npm run build && node dist/bench/catalog-cost.js [seconds]
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.js';
import { App } from '../src/app.js';
import { Logger } from '../src/lib/log.js';
import { loadBuiltinCatalog } from '../src/catalog/catalog.js';

export interface CatalogCost {
  models: number;
  providers: number;
  endpoints: number;
  startup_ms: number;
  list_bytes: number;
  first_list_ms: number;
  cached_rps: number;
  cached_p50_ms: number;
  cached_p99_ms: number;
}

export async function measureCatalog(seconds: number): Promise<CatalogCost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'arouter-catalog-cost-'));
  const admin = 'lr_live_' + 'c'.repeat(40);
  const data = loadBuiltinCatalog();
  // every provider configured with a dummy key: the whole catalog is listed, nothing is called
  const env: NodeJS.ProcessEnv = { AROUTER_ADMIN_KEY: admin, AROUTER_LOG_LEVEL: 'silent' };
  for (const p of data.providers) env[p.api_key_env] = 'dummy';
  const config = loadConfig({
    inline: { catalog: { sync_interval: 0 } },
    env,
    flags: { port: 0, host: '127.0.0.1', dataDir },
  });
  const t0 = performance.now();
  const app = new App({ config, env, logger: new Logger('silent') });
  await app.init();
  const addr = await app.listen();
  const startup = performance.now() - t0;
  const url = `http://127.0.0.1:${addr.port}/v1/models?output_modalities=all`;
  const headers = { authorization: `Bearer ${admin}` };
  try {
    const t1 = performance.now();
    const first = await fetch(url, { headers });
    const body = await first.text();
    const firstMs = performance.now() - t1;
    const models = (JSON.parse(body) as { data: unknown[] }).data.length;
    const r = await autocannon({ url, headers, connections: 10, duration: seconds });
    return {
      models,
      providers: app.providers.configured.size,
      endpoints: app.catalog.models.reduce((n, m) => n + m.endpoints.length, 0),
      startup_ms: startup,
      list_bytes: Buffer.byteLength(body),
      first_list_ms: firstMs,
      cached_rps: r.requests.average,
      cached_p50_ms: r.latency.p50,
      cached_p99_ms: r.latency.p99,
    };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const c = await measureCatalog(Number(process.argv[2] ?? 3));
  console.log(JSON.stringify(c, null, 2));
}
