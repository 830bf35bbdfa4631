// `arouter catalog sync|status` against a simulated provider: the synced state lands in the data dir, `models`
// and `catalog status` read it, and a failing provider makes `sync` exit 1 naming it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimUpstream, type SimUpstream } from '../../src/sim/index.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const BASE_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AROUTER_LOG_LEVEL: 'warn',
  OPENAI_API_KEY: 'sk-test',
};

/** async: the simulated provider answers from this process while the command runs */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: BASE_ENV });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill(), 60_000);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

let sim: SimUpstream;
let dir: string;
let configFile: string;

before(async () => {
  sim = await startSimUpstream({ dialect: 'openai' });
  dir = mkdtempSync(join(tmpdir(), 'arouter-catcli-'));
  configFile = join(dir, 'arouter.config.yaml');
  writeFileSync(
    configFile,
    `providers:\n  - id: openai\n    base_url: ${sim.url}\ncatalog:\n  metadata_url: ${sim.url.replace(/\/v1$/, '')}/__sim/metadata\n`,
  );
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

test('catalog sync writes the synced state; models and catalog status read it', async () => {
  sim.release({ id: 'gpt-cli-1', cost: { input: 1, output: 3 } });
  const s = await cli(['catalog', 'sync', '--json', '--config', configFile, '--data-dir', dir]);
  assert.equal(s.code, 0, s.stderr);
  const out = JSON.parse(s.stdout) as {
    data: { providers: Array<{ id: string; models_seen: number; models_added: number; last_error: string | null }> };
  };
  const openai = out.data.providers.find((p) => p.id === 'openai')!;
  assert.ok(openai.models_seen >= 1);
  assert.equal(openai.models_added, 1);
  assert.ok(existsSync(join(dir, 'catalog-synced.json')));

  const m = await cli(['models', '--json', '--config', configFile, '--data-dir', dir]);
  assert.equal(m.code, 0, m.stderr);
  const model = (JSON.parse(m.stdout) as { data: Array<{ id: string; pricing: { prompt: string } }> }).data.find(
    (x) => x.id === 'openai/gpt-cli-1',
  );
  assert.equal(model?.pricing.prompt, '0.000001');

  const st = await cli(['catalog', 'status', '--config', configFile, '--data-dir', dir]);
  assert.equal(st.code, 0, st.stderr);
  assert.match(st.stdout, /^openai\s+last sync \S+\s+seen \d+\s+added 1\s+removed 0/m);
});

test('a provider whose list call fails: sync exits 1 and names it; the previous models stay', async () => {
  sim.script({ match: { path: '/v1/models' }, status: 500, times: 1 });
  const s = await cli(['catalog', 'sync', '--config', configFile, '--data-dir', dir]);
  assert.equal(s.code, 1);
  assert.match(s.stdout, /^openai .*ERROR: openai: HTTP 500/m);
  const m = await cli(['models', '--json', '--config', configFile, '--data-dir', dir]);
  assert.ok((JSON.parse(m.stdout) as { data: Array<{ id: string }> }).data.some((x) => x.id === 'openai/gpt-cli-1'));
});
