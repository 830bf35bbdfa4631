// What the logs hold (README "Security model"): one access line per request with the key's id, never its secret
// nor the prompt; prompts and completions only with `log.prompts: true`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoGateway } from '../helpers/gateway.js';
import { Logger } from '../../src/lib/log.js';
import { createKey } from '../helpers/accounting.js';

for (const prompts of [false, true]) {
  test(`log.prompts: ${prompts}`, async () => {
    const lines: string[] = [];
    const { gw, sims } = await startDemoGateway({ log: { prompts } }, new Logger('info', (s) => lines.push(s)));
    try {
      const user = await createKey(gw, { name: 'logged' });
      const res = await gw.fetch('/chat/completions', {
        method: 'POST',
        key: user.key,
        json: { model: 'openai/gpt-4o-mini', max_tokens: 30, messages: [{ role: 'user', content: 'my secret plan' }] },
      });
      assert.equal(res.status, 200);
      await res.text();
      await new Promise((r) => setImmediate(r));
      const all = lines.join('');
      assert.ok(!all.includes(user.key), 'a key secret is never logged');
      const access = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'request' && l.route === '/v1/chat/completions');
      assert.equal(access?.key_id, user.id);
      assert.equal(all.includes('my secret plan'), prompts);
      if (prompts) {
        const p = lines.map((l) => JSON.parse(l) as Record<string, any>).find((l) => l.msg === 'prompt')!;
        assert.equal(p.messages[0].content, 'my secret plan');
        assert.match(p.completion, /Hello from/);
      }
    } finally {
      await gw.close();
      await sims.close();
    }
  });
}
