// The Storage contract for the console's activity charts and generations table (issue 17), on every engine:
// activityGroups (per whole UTC day by model, provider or key, from the rollups, the groups beyond the ranked ones
// summed as one) checked against totals computed here from the rows written, and listGenerations' status and
// streamed filters.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActivityGroupBy, ActivityGroupQuery, GenerationRow, Storage } from '../../src/store/types.js';
import { account, gen, key, pg, sqlite, type Engine, type Place } from '../helpers/storage-engines.js';

const MODELS = ['m/one', 'm/two', 'm/three', null] as const;
const PROVIDERS: Record<string, string> = { 'm/one': 'p1', 'm/two': 'p2', 'm/three': 'p1' };

/** 60 rows over three days, two keys of acct_a and one of acct_b, every token count and cost different */
function traffic(): GenerationRow[] {
  const rows: GenerationRow[] = [];
  for (let i = 0; i < 60; i++) {
    const model = MODELS[i % 4]!;
    const keyId = i % 5 === 0 ? 'key_b' : i % 3 === 0 ? 'key_2' : 'key_1';
    rows.push(
      gen(
        `ag${String(i).padStart(2, '0')}`,
        `2026-12-0${1 + (i % 3)}T${String(i % 24).padStart(2, '0')}:00:00.000Z`,
        1000n * BigInt((i + 1) * (i + 1)) + 7n,
        {
          account_id: keyId === 'key_b' ? 'acct_b' : 'acct_a',
          key_id: keyId,
          model,
          provider: model === null ? null : PROVIDERS[model]!,
          prompt_tokens: 100 + i,
          completion_tokens: 50 + 2 * i,
          reasoning_tokens: i % 7,
          cached_tokens: i % 11,
          status: model === null ? 502 : i % 9 === 0 ? 499 : 200,
          cancelled: i % 9 === 0 && model !== null,
          streamed: i % 2 === 0,
        },
      ),
    );
  }
  // one more day, outside the ranges asked below
  rows.push(gen('ag_late', '2026-12-09T10:00:00.000Z', 5n, { key_id: 'key_1', model: 'm/one', provider: 'p1' }));
  return rows;
}

const groupOf = (g: GenerationRow, by: ActivityGroupBy): string =>
  by === 'model' ? (g.model ?? '') : by === 'provider' ? (g.provider ?? '') : g.key_id;

/** what activityGroups must answer, computed from the rows */
function expected(rows: GenerationRow[], q: ActivityGroupQuery) {
  const mine = rows.filter(
    (g) =>
      g.account_id === q.account_id &&
      (q.key_id === undefined || g.key_id === q.key_id) &&
      (q.model === undefined || (g.model ?? '') === q.model) &&
      (q.provider === undefined || (g.provider ?? '') === q.provider) &&
      g.created_at.slice(0, 10) >= q.from &&
      g.created_at.slice(0, 10) < q.to,
  );
  const add = (m: Map<string, any>, k: string, g: GenerationRow, extra: object) => {
    const t = m.get(k) ?? {
      ...extra,
      requests: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      reasoning_tokens: 0,
      cached_tokens: 0,
      cost_pusd: 0n,
    };
    t.requests++;
    t.prompt_tokens += g.prompt_tokens;
    t.completion_tokens += g.completion_tokens;
    t.reasoning_tokens += g.reasoning_tokens;
    t.cached_tokens += g.cached_tokens;
    t.cost_pusd += g.cost_pusd;
    m.set(k, t);
  };
  const ranks = new Map<string, any>();
  if (q.by) for (const g of mine) add(ranks, groupOf(g, q.by), g, { group: groupOf(g, q.by), name: null });
  const ranked = [...ranks.values()].sort((a, b) =>
    a.cost_pusd !== b.cost_pusd
      ? a.cost_pusd > b.cost_pusd
        ? -1
        : 1
      : b.requests - a.requests || (a.group < b.group ? -1 : 1),
  );
  const top = ranked.slice(0, q.groups).map((r) => r.group as string);
  const days = new Map<string, any>();
  for (const g of mine) {
    const date = g.created_at.slice(0, 10);
    const grp = q.by && top.includes(groupOf(g, q.by)) ? groupOf(g, q.by) : null;
    add(days, `${date}|${grp}`, g, { date, group: grp });
  }
  const pos = (d: { group: string | null }) => (d.group === null ? Infinity : top.indexOf(d.group));
  return {
    groups: ranked.slice(0, q.groups),
    truncated: ranked.length > q.groups,
    days: [...days.values()].sort((a, b) => (a.date !== b.date ? (a.date < b.date ? -1 : 1) : pos(a) - pos(b))),
  };
}

function activityGroupsContract(engine: Engine): void {
  describe(engine.name, () => {
    let place: Place;
    let s: Storage;
    const rows = traffic();
    before(async () => {
      await engine.ready();
      place = await engine.place();
      s = place.open();
      await s.migrate();
      await s.createAccount(account('acct_a'));
      await s.createAccount(account('acct_b'));
      await s.createKey(key('key_1', 'acct_a', { name: 'Key one' }));
      await s.createKey(key('key_2', 'acct_a', { name: 'Key two' }));
      await s.createKey(key('key_b', 'acct_b', { name: 'Key b' }));
      // two batches: the second adds to rollup rows the first created
      await s.insertGenerations(rows.slice(0, 31));
      await s.insertGenerations(rows.slice(31));
    });
    after(async () => {
      await s?.close();
      await place?.drop();
    });

    const base = { account_id: 'acct_a', from: '2026-12-01', to: '2026-12-04', groups: 10 } as const;

    test('by model, provider and key: exact totals per day and per group, ranked by cost; key names', async () => {
      for (const by of ['model', 'provider', 'key'] as const) {
        const q = { ...base, by };
        const got = await s.activityGroups(q);
        const want = expected(rows, q);
        if (by === 'key') {
          for (const g of want.groups) g.name = g.group === 'key_1' ? 'Key one' : 'Key two';
        }
        assert.deepEqual(got, want, by);
        assert.equal(got.truncated, false);
      }
      // a request that reached no model counts under ''
      const byModel = await s.activityGroups({ ...base, by: 'model' });
      assert.ok(byModel.groups.some((g) => g.group === ''));
      assert.equal(byModel.groups.length, 4);
    });

    test('per day only; filters by key, model and provider; whole days [from, to); another account sees none', async () => {
      const days = await s.activityGroups({ ...base, by: null });
      assert.deepEqual(days, expected(rows, { ...base, by: null }));
      assert.equal(days.days.length, 3);
      assert.ok(days.days.every((d) => d.group === null));
      for (const f of [
        { key_id: 'key_2' },
        { model: 'm/one' },
        { provider: 'p1' },
        { from: '2026-12-02', to: '2026-12-03' },
      ]) {
        const q = { ...base, by: 'model' as const, ...f };
        assert.deepEqual(await s.activityGroups(q), expected(rows, q), JSON.stringify(f));
      }
      const b = { ...base, account_id: 'acct_b', by: 'key' as const };
      assert.deepEqual(
        (await s.activityGroups(b)).groups.map((g) => [g.group, g.name]),
        [['key_b', 'Key b']],
      );
      assert.deepEqual(await s.activityGroups({ ...base, account_id: 'acct_none', by: 'key' }), {
        groups: [],
        truncated: false,
        days: [],
      });
      const late = await s.activityGroups({ ...base, from: '2026-12-04', to: '2026-12-10', by: 'model' });
      assert.deepEqual(
        late.days.map((d) => [d.date, d.group, d.requests, d.cost_pusd]),
        [['2026-12-09', 'm/one', 1, 5n]],
      );
    });

    test('more groups than asked: the top ones by cost, the rest summed per day as one (group null), truncated', async () => {
      for (const groups of [1, 2]) {
        const q = { ...base, by: 'model' as const, groups };
        const got = await s.activityGroups(q);
        assert.deepEqual(got, expected(rows, q));
        assert.equal(got.truncated, true);
        assert.equal(got.groups.length, groups);
        assert.ok(got.days.some((d) => d.group === null));
        // nothing is lost: the days add up to the ungrouped totals
        const all = await s.activityGroups({ ...base, by: null });
        const sum = (ds: typeof got.days) => ds.reduce((n, d) => n + d.cost_pusd, 0n);
        assert.equal(sum(got.days), sum(all.days));
      }
    });

    test('listGenerations: status ok / error / one code, and streamed, combine with the other filters and keyset pages', async () => {
      const list = (f: object) => s.listGenerations({ account_id: 'acct_a', limit: 1000, ...f });
      const ids = (gs: GenerationRow[]) => gs.map((g) => g.id).sort();
      const mine = rows.filter((g) => g.account_id === 'acct_a');
      assert.deepEqual(ids(await list({ status: 'error' })), ids(mine.filter((g) => g.status >= 400)));
      assert.deepEqual(ids(await list({ status: 'ok' })), ids(mine.filter((g) => g.status < 400)));
      assert.deepEqual(ids(await list({ status: 499 })), ids(mine.filter((g) => g.status === 499)));
      assert.deepEqual(ids(await list({ status: 200 })), ids(mine.filter((g) => g.status === 200)));
      assert.deepEqual(
        ids(await list({ status: 'error', streamed: false, key_id: 'key_1' })),
        ids(mine.filter((g) => g.status >= 400 && !g.streamed && g.key_id === 'key_1')),
      );
      assert.deepEqual(ids(await list({ streamed: true })), ids(mine.filter((g) => g.streamed)));
      // keyset pages of failures only
      const seen: string[] = [];
      for (let after: { created_at: string; id: string } | undefined; ;) {
        const page = await list({ status: 'error', limit: 3, after });
        seen.push(...page.map((g) => g.id));
        if (page.length < 3) break;
        after = page[page.length - 1];
      }
      assert.deepEqual(seen.sort(), ids(mine.filter((g) => g.status >= 400)));
      // the per-day totals ignore the listing-only filters
      assert.deepEqual(
        await s.dailyTotals({ account_id: 'acct_a', status: 'error', streamed: true }),
        await s.dailyTotals({ account_id: 'acct_a' }),
      );
    });
  });
}

activityGroupsContract(sqlite);
activityGroupsContract(pg);
