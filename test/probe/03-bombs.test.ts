// Issue 12 item 3: small bodies that cost big CPU or memory. Before: a 1.9 MB array of wrong items held the event
// loop ~2-4 s and took >1 GB collecting every validation error; 7.6 MB ran the process out of heap; a 3 KB Gemini
// tool schema whose $refs fan out to 2^24 nodes did too. Each must be a quick 400 naming the field, and the
// process must survive them (checked in a child with a small heap, as `serve --demo` runs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_KEY, startDemoGateway, type SimSet, type TestGateway } from '../helpers/gateway.js';

const MINI = 'openai/gpt-5-mini';
const GEMINI = 'google/gemini-2.5-flash';

/** `provider.order` must be strings: n wrong items, 2 bytes each */
const wrongOrder = (bytes: number) =>
  `{"model":"${MINI}","messages":[{"role":"user","content":"hi"}],"provider":{"order":[${new Array(Math.floor(bytes / 2)).fill(1).join(',')}]}}`;
/** messages that match no message shape */
const wrongMessages = (bytes: number) => {
  const item = '{"role":"bogus","x":1}';
  return `{"model":"${MINI}","messages":[${new Array(Math.floor(bytes / (item.length + 1))).fill(item).join(',')}]}`;
};
/** k definitions each referring to the next twice: 2^k nodes once inlined, ~100 bytes a definition */
function fanOut(k: number): Record<string, unknown> {
  const defs: Record<string, unknown> = { [`d${k}`]: { type: 'string' } };
  for (let i = 0; i < k; i++)
    defs[`d${i}`] = {
      type: 'object',
      properties: { a: { $ref: `#/$defs/d${i + 1}` }, b: { $ref: `#/$defs/d${i + 1}` } },
    };
  return { type: 'object', properties: { root: { $ref: '#/$defs/d0' } }, $defs: defs };
}
const toolBody = (model: string, parameters: unknown) =>
  JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'hi' }],
    tools: [{ type: 'function', function: { name: 'f', parameters } }],
  });
const formatBody = (model: string, schema: unknown) =>
  JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'hi' }],
    response_format: { type: 'json_schema', json_schema: { name: 'x', schema } },
  });

interface ErrorBody {
  error: { message: string; code: string; param: string | null };
}

async function post(base: string, body: string): Promise<{ status: number; body: ErrorBody; ms: number }> {
  const t = performance.now();
  const res = await fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as ErrorBody, ms: performance.now() - t };
}

let gw: TestGateway;
let sims: SimSet;
before(async () => {
  ({ gw, sims } = await startDemoGateway());
});
after(async () => {
  await gw.close();
  await sims.close();
});

test('a 1.9 MB body of wrong array items is a quick 400 naming the first one', async () => {
  for (const [body, field] of [
    [wrongOrder(1.9e6), 'provider.order[0]'],
    [wrongMessages(1.9e6), 'messages[0]'],
  ] as const) {
    assert.ok(body.length > 1.8e6);
    const r = await post(gw.url, body);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.param, field);
    // loose: the whole round trip (build, send, parse) of 1.9 MB on a busy machine; it was 2-4 s of validation alone
    assert.ok(r.ms < 2000, `${r.ms} ms`);
  }
});

test('a long provider list is refused, and a long run of text without spaces is counted quickly', async () => {
  const names = `{"model":"${MINI}","messages":[{"role":"user","content":"hi"}],"provider":{"order":[${new Array(1_000_000).fill('"zz"').join(',')}]}}`;
  const r = await post(gw.url, names);
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.error.param, 'provider.order');
  // token counting (context check, reservation) of 100k CJK characters took 108 s; 'a' * 100k 21 s
  for (const content of ['中'.repeat(100_000), 'a'.repeat(100_000)]) {
    const t = performance.now();
    const res = await gw.fetch('/chat/completions', {
      method: 'POST',
      json: { model: 'anthropic/claude-sonnet-4.5', messages: [{ role: 'user', content }] },
    });
    await res.arrayBuffer();
    assert.ok([200, 400, 503].includes(res.status), String(res.status));
    assert.ok(performance.now() - t < 5000, `${(performance.now() - t).toFixed(0)} ms`);
  }
});

test('a $ref fan-out in a Gemini tool or response schema is a 400 naming the field, not an expansion', async () => {
  const params = fanOut(24);
  assert.ok(JSON.stringify(params).length < 3500);
  const tool = await post(gw.url, toolBody(GEMINI, params));
  assert.equal(tool.status, 400, JSON.stringify(tool.body));
  assert.equal(tool.body.error.param, 'tools[0].function.parameters');
  assert.match(tool.body.error.message, /10000 nodes/);
  const format = await post(gw.url, formatBody(GEMINI, params));
  assert.equal(format.status, 400, JSON.stringify(format.body));
  assert.equal(format.body.error.param, 'response_format.json_schema.schema');
  // nothing reached the upstream
  assert.equal(sims.gemini.requests.filter((r) => r.method === 'POST').length, 0);
  // a schema within the budget still converts and is served
  const ok = await post(gw.url, toolBody(GEMINI, fanOut(8)));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
});

test('a server with a 160 MB heap survives the 7.6 MB body and the 2^24 fan-out (both ran it out of heap)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-probe03-'));
  let proc: ChildProcess | null = null;
  try {
    proc = spawn(
      process.execPath,
      [
        '--max-old-space-size=160',
        '--import',
        'tsx',
        'src/cli/main.ts',
        'serve',
        '--demo',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--data-dir',
        dir,
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AROUTER_ADMIN_KEY: ADMIN_KEY,
          AROUTER_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => proc!.once('exit', (code) => resolve(code)));
    const base = await listening(proc);
    const big = wrongOrder(7.6e6);
    assert.ok(big.length > 7.5e6 && big.length < 8 * 1024 * 1024);
    for (const body of [big, wrongMessages(7.6e6), toolBody(GEMINI, fanOut(24))]) {
      const r = await post(base, body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
    }
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    assert.equal(proc.exitCode, null);
    proc.kill('SIGTERM');
    await exited;
  } finally {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

function listening(proc: ChildProcess): Promise<string> {
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 30_000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+\/v1)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => reject(new Error(`server exited ${code}:\n${err}`)));
  });
}
