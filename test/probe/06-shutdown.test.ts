// Issue 12 item 6: streams still running when the shutdown grace period ends are ended with an in-band error
// (then the usage chunk and [DONE]), billed for what they delivered and written to the ledger — before, 20 of
// 20 cut streams had no ledger row. Requests that finish within the grace period are untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, startSims } from '../helpers/gateway.js';
import { chatStream, createKey } from '../helpers/accounting.js';

test('streams cut at shutdown end with an error chunk, are billed and recorded; the endpoint stays healthy', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'arouter-shutdown-'));
  const sims = await startSims();
  let gw = await startGateway({ dataDir, demoUpstreams: sims.urls, config: { server: { shutdown_grace_ms: 300 } } });
  try {
    const user = await createKey(gw, { name: 'streamer', limit: '1' });
    // slow streams: ~2 words per event at 10 events/s, far longer than the grace period
    sims.openai.script({ tokensPerSecond: 10, times: Infinity });
    const long = 'word '.repeat(400);
    const body = { model: 'openai/gpt-4o-mini', max_tokens: 2000, messages: [{ role: 'user', content: long }] };
    const streams = Array.from({ length: 5 }, () =>
      chatStream(gw, { ...body, stream_options: { include_usage: true } }, user.key),
    );
    // one quick non-stream request finishing inside the grace period is untouched
    sims.anthropic.script({ latencyMs: 100 });
    const quick = gw.fetch('/chat/completions', {
      method: 'POST',
      key: user.key,
      json: { model: 'anthropic/claude-sonnet-4.5', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] },
    });
    // every request has reached its upstream (the quick one is being answered, the streams are flowing)
    while (sims.openai.requests.length < 5 || sims.anthropic.requests.length < 1)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    const closing = gw.close(false);
    const outcomes = await Promise.all(streams);
    assert.equal((await quick).status, 200);
    await closing;
    for (const s of outcomes) {
      assert.equal(s.status, 200);
      assert.ok(s.content.length > 0, 'content reached the client before the cut');
      assert.equal(s.error?.metadata?.code, 'server_shutting_down');
      assert.equal(s.finish, 'error');
      assert.ok(s.usage && s.usage.cost > 0, 'the usage chunk bills what was delivered');
      assert.ok(s.done, 'the stream ends with [DONE]');
    }

    // after a restart on the same data dir every cut stream has its row, and the key's usage is their sum
    gw = await startGateway({ dataDir, demoUpstreams: sims.urls });
    let sum = 0;
    for (const s of outcomes) {
      const res = await gw.fetch(`/generation?id=${s.id}`);
      assert.equal(res.status, 200, `generation ${s.id} was recorded`);
      const g = (
        (await res.json()) as {
          data: { status: number; finish_reason: string; total_cost: number; tokens_completion: number };
        }
      ).data;
      assert.equal(g.finish_reason, 'error');
      assert.equal(g.status, 503);
      assert.equal(g.total_cost, s.usage!.cost);
      assert.ok(g.tokens_completion > 0);
      sum += g.total_cost;
    }
    const key = ((await (await gw.fetch('/key', { key: user.key })).json()) as { data: { usage: number } }).data;
    assert.ok(Math.abs(key.usage - sum) < 1e-12 + (await quickCost(gw)), 'the key was charged for the cut streams');
    const eps = (
      (await (await gw.fetch('/models/openai/gpt-4o-mini/endpoints')).json()) as {
        data: { endpoints: Array<{ circuit: string }> };
      }
    ).data;
    assert.ok(eps.endpoints.every((e) => e.circuit === 'closed'));
  } finally {
    await gw.close(false).catch(() => undefined);
    await sims.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** the quick request's cost, part of the key's usage too */
async function quickCost(gw: Awaited<ReturnType<typeof startGateway>>): Promise<number> {
  const act = (await (await gw.fetch('/activity?limit=100')).json()) as {
    data: Array<{ model: string; total_cost: number }>;
  };
  return act.data.filter((g) => g.model?.startsWith('anthropic/')).reduce((n, g) => n + g.total_cost, 0);
}
