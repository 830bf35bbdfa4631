// Starts a real listening gateway for end-to-end tests: temp data dir, port 0, admin key from config.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { Dialect } from '../../src/catalog/types.js';
import type { Logger } from '../../src/lib/log.js';

export const ADMIN_KEY = 'lr_live_testadminkey0000000000000000000000';

export interface TestGateway {
  app: App;
  /** http://127.0.0.1:PORT/v1 */
  url: string;
  dataDir: string;
  adminKey: string;
  /** stop the gateway; keeps the data dir unless `wipe` */
  close(wipe?: boolean): Promise<void>;
  fetch(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
}

export async function startGateway(
  opts: {
    env?: NodeJS.ProcessEnv;
    config?: Record<string, unknown>;
    demoUpstreams?: Record<Dialect, string> | null;
    dataDir?: string;
    /** a logger of the test's own (e.g. collecting access-log lines); default: the env's level on stdout */
    logger?: Logger;
  } = {},
): Promise<TestGateway> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'arouter-test-'));
  const env = { AROUTER_ADMIN_KEY: ADMIN_KEY, AROUTER_LOG_LEVEL: 'silent', ...(opts.env ?? {}) };
  // no catalog sync on a timer in tests unless a test asks (each test triggers its own: POST /v1/catalog/sync)
  const inline = { ...(opts.config ?? {}) };
  inline.catalog = { sync_interval: 0, ...((inline.catalog as object | undefined) ?? {}) };
  const config = loadConfig({ inline, env, flags: { port: 0, host: '127.0.0.1', dataDir } });
  const app = new App({ config, env, demoUpstreams: opts.demoUpstreams ?? null, logger: opts.logger });
  await app.init();
  const addr = await app.listen();
  const url = `http://127.0.0.1:${addr.port}/v1`;
  return {
    app,
    url,
    dataDir,
    adminKey: ADMIN_KEY,
    async close(wipe = true) {
      await app.close();
      if (wipe && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      const key = init.key === undefined ? ADMIN_KEY : init.key;
      if (key) headers.set('authorization', `Bearer ${key}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(url + path, { ...init, headers, body });
    },
  };
}

import { startSimUpstream, type SimUpstream } from '../../src/sim/index.js';

export interface SimSet {
  openai: SimUpstream;
  anthropic: SimUpstream;
  gemini: SimUpstream;
  urls: Record<Dialect, string>;
  resetAll(): void;
  close(): Promise<void>;
}

export async function startSims(): Promise<SimSet> {
  const [openai, anthropic, gemini] = await Promise.all(
    (['openai', 'anthropic', 'gemini'] as const).map((dialect) => startSimUpstream({ dialect, port: 0 })),
  );
  return {
    openai,
    anthropic,
    gemini,
    urls: { openai: openai.url, anthropic: anthropic.url, gemini: gemini.url },
    resetAll() {
      openai.reset();
      anthropic.reset();
      gemini.reset();
    },
    async close() {
      await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
    },
  };
}

/** a gateway whose every provider is wired to the simulated upstreams (demo mode) */
export async function startDemoGateway(
  config: Record<string, unknown> = {},
  logger?: Logger,
): Promise<{ gw: TestGateway; sims: SimSet }> {
  const sims = await startSims();
  const gw = await startGateway({ demoUpstreams: sims.urls, config, logger });
  return { gw, sims };
}

/**
 * A one-provider setup as an operator writes it for a local OpenAI-compatible server (vLLM, Ollama): provider
 * `local` (key from LOCAL_KEY) at `baseUrl`, serving model `local/tiny` (upstream name tiny-1) at $1/$2 per M.
 */
export function localTinyConfig(baseUrl: string, name = 'Local'): { providers: unknown[]; models: unknown[] } {
  const zero = {
    request: '0',
    image: '0',
    web_search: '0',
    internal_reasoning: '0',
    input_cache_read: '0',
    input_cache_write: '0',
  };
  return {
    providers: [{ id: 'local', name, dialect: 'openai', base_url: baseUrl, api_key_env: 'LOCAL_KEY' }],
    models: [
      {
        id: 'local/tiny',
        name: 'Tiny',
        context_length: 4096,
        architecture: {
          input_modalities: ['text'],
          output_modalities: ['text'],
          tokenizer: 'cl100k_base',
          instruct_type: null,
        },
        supported_parameters: ['max_tokens', 'temperature'],
        endpoints: [
          {
            provider: 'local',
            model: 'tiny-1',
            context_length: 4096,
            max_completion_tokens: 512,
            quantization: 'bf16',
            is_moderated: false,
            pricing: { prompt: '0.000001', completion: '0.000002', ...zero },
          },
        ],
      },
    ],
  };
}
