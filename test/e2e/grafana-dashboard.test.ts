// docs/grafana/arouter.json cannot drift from the code: every metric its PromQL names exists in a real /metrics
// scrape of a gateway that served a request (a histogram's _bucket/_sum/_count from its family), and the JSON is
// a dashboard Grafana imports (panel ids unique, every query on the datasource variable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startRoutingGateway, chat } from '../helpers/routing.js';
import { parseProm } from '../helpers/prom-text.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
}

const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana/arouter.json', import.meta.url), 'utf8')) as {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string }> };
};

test('every metric the dashboard queries is exposed by /metrics', async () => {
  const { gw, sims } = await startRoutingGateway();
  try {
    assert.equal((await chat(gw, { model: 'meta-llama/llama-3.3-70b-instruct', stream: true })).status, 200);
    const res = await fetch(`${gw.url.replace(/\/v1$/, '')}/metrics`, {
      headers: { authorization: `Bearer ${gw.adminKey}` },
    });
    assert.equal(res.status, 200);
    const scrape = parseProm(await res.text());
    const exposed = new Set<string>();
    for (const [name, type] of scrape.types) {
      if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exposed.add(name + s);
      else exposed.add(name);
    }
    for (const s of scrape.samples) exposed.add(s.name);
    const queried = new Set<string>();
    for (const p of dashboard.panels)
      for (const t of p.targets ?? []) for (const m of t.expr.matchAll(/\barouter_[a-z0-9_]+/g)) queried.add(m[0]);
    assert.ok(queried.size >= 15, `the dashboard queries ${queried.size} metrics`);
    const missing = [...queried].filter((n) => !exposed.has(n));
    assert.deepEqual(missing, [], `queried by docs/grafana/arouter.json but not in /metrics: ${missing.join(', ')}`);
  } finally {
    await gw.close();
    await sims.close();
  }
});

test('the dashboard is importable: unique panel ids, queries on the datasource variable', () => {
  assert.equal(dashboard.uid, 'arouter-overview');
  assert.ok(dashboard.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'));
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
    assert.ok(p.targets && p.targets.length > 0, `${p.title}: no query`);
    assert.equal(p.datasource?.uid, '${datasource}', p.title);
    for (const t of p.targets) assert.equal(t.datasource?.uid, '${datasource}', p.title);
  }
});
