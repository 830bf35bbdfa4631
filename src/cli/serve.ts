// `arouter serve`: start the gateway. First start creates the default account and an operator key (the deployment's superuser), printed
// once and saved (mode 0600) in the data dir. `--demo` runs the simulated upstreams in-process and wires
// every catalog provider to them, so everything works without provider keys.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { App } from '../app.js';
import type { Dialect } from '../catalog/types.js';
import type { SimUpstream } from '../sim/index.js';
import { configFrom, parse } from './args.js';

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

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    demo: { type: 'boolean' },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    console.error(`arouter: --port must be an integer 0..65535 (got ${values.port})`);
    return 2;
  }
  const config = configFrom(values, { port, host: values.host, demo: values.demo });
  if (config.heapGrowingPercent > 0) {
    // Left alone, V8 lets the old generation grow to several times the live heap under load (promoted
    // request garbage): ~175 MB peak RSS on the bench for ~15 MB live. Growing by 30 % after each full GC
    // held it near 147 MB at the same throughput (README "Performance"). V8 reads this flag at each
    // heap-limit computation, so setting it at runtime, before any load, takes effect.
    setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
  }
  const demo = config.demo ? await startDemoUpstreams() : null;
  const app = new App({ config, demoUpstreams: demo?.urls ?? null });
  await app.init();
  const addr = await app.listen();
  const base = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}/v1`;

  if (app.bootstrapAdminKey) {
    mkdirSync(config.dataDir, { recursive: true });
    const file = join(config.dataDir, 'admin-key.txt');
    writeFileSync(file, app.bootstrapAdminKey + '\n', { mode: 0o600 });
    console.error(
      `\nFirst start: created the default account and its operator key (the deployment's superuser). It is shown only this once:\n\n  ${app.bootstrapAdminKey}\n\n` +
        `Saved to ${file} (mode 0600). Create user keys with \`arouter keys create --name NAME\` or POST /v1/keys.\n`,
    );
  }
  console.error(
    `ARouter listening on ${base}${config.demo ? ' (demo mode: simulated upstreams, no provider keys needed)' : ''}`,
  );
  if (!config.demo && app.providers.configured.size === 0) {
    console.error(
      '\nNo provider is configured: no provider API key is set (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, ...),\n' +
        'so no model is listed or routable. To try every feature without keys, run the demo:\n\n' +
        '  npm run demo            (or: npx arouter serve --demo)\n',
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info('shutting down', { signal });
    await app.close();
    await Promise.all((demo?.sims ?? []).map((s) => s.close()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return -1; // keep running
}
