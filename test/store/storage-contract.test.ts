// The Storage contract: every case runs against each implementation (the embedded SQLite file and PostgreSQL),
// given as a factory of fresh, isolated places (a temporary directory; a schema of its own per run, dropped at the
// end). PostgreSQL is expected at AROUTER_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test, as
// .ci/run starts it): when it cannot be reached its cases FAIL, with the reason, rather than being skipped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { GenerationRow, KeyRow, Storage } from '../../src/store/types.js';
import { account, gen, key, pg, sqlite, T0, type Engine, type Place } from '../helpers/storage-engines.js';

/** generationParams() as the journal replays them */
const asParams = async (rows: GenerationRow[]): Promise<unknown[][]> => {
  const { generationParams } = await import('../../src/store/generation-params.js');
  return rows.map(generationParams);
};

const spendOf = (totals: Array<{ id: string; spent_pusd: bigint }>, id: string): bigint =>
  totals.find((t) => t.id === id)?.spent_pusd ?? 0n;

export function storageContract(engine: Engine): void {
  describe(engine.name, () => {
    let place: Place;
    let s: Storage;
    before(async () => {
      await engine.ready();
      place = await engine.place();
      s = place.open();
      await s.migrate();
      await s.createAccount(account('acct_a'));
    });
    after(async () => {
      await s?.close();
      await place?.drop();
    });

    test('migrating again, and from several instances at once, is a no-op', async () => {
      await s.migrate();
      const fresh = await engine.place();
      const many = [fresh.open(), fresh.open(), fresh.open()];
      try {
        await Promise.all(many.map((x) => x.migrate()));
        await many[0]!.createAccount(account('acct_x'));
        assert.equal((await many[2]!.listAccounts()).length, 1);
      } finally {
        await Promise.all(many.map((x) => x.close()));
        await fresh.drop();
      }
    });

    test('accounts: create, read, list, update; credits beyond 2^53 are exact', async () => {
      const credits = 5n * 10n ** 18n + 7n;
      await s.createAccount(account('acct_b', { credits_pusd: credits, enabled_providers: ['openai', 'x'] }));
      assert.deepEqual(
        await s.getAccount('acct_b'),
        account('acct_b', { credits_pusd: credits, enabled_providers: ['openai', 'x'] }),
      );
      assert.equal(await s.getAccount('acct_none'), null);
      assert.deepEqual(
        (await s.listAccounts()).map((a) => a.id),
        ['acct_a', 'acct_b'],
      );
      const updated = await s.updateAccount('acct_b', { name: 'B', credits_pusd: null, enabled_providers: null });
      assert.deepEqual(updated, account('acct_b', { name: 'B' }));
      assert.equal(await s.updateAccount('acct_none', { name: 'x' }), null);
    });

    test('keys: create, read, list per account, update; roles and flags round-trip; a hash is unique', async () => {
      const limit = 9n * 10n ** 18n;
      await s.createKey(key('key_1', 'acct_a'));
      await s.createKey(key('key_admin', 'acct_a', { role: 'admin', limit_pusd: limit, limit_reset: 'daily' }));
      await s.createKey(key('key_op', 'acct_a', { role: 'operator', rate_limit_rpm: 60, rate_limit_tpm: 1000 }));
      await s.createKey(key('key_b', 'acct_b', { expires_at: '2027-01-01T00:00:00.000Z' }));
      assert.deepEqual(
        await s.getKey('key_admin'),
        key('key_admin', 'acct_a', { role: 'admin', limit_pusd: limit, limit_reset: 'daily' }),
      );
      assert.deepEqual(
        await s.getKey('key_op'),
        key('key_op', 'acct_a', { role: 'operator', rate_limit_rpm: 60, rate_limit_tpm: 1000 }),
      );
      assert.equal(await s.getKey('key_none'), null);
      assert.deepEqual((await s.listKeys('acct_a')).map((k) => k.id).sort(), ['key_1', 'key_admin', 'key_op']);
      assert.equal((await s.listKeys()).length, 4);
      const patch = {
        role: 'admin',
        disabled: true,
        revoked_at: '2026-11-02T00:00:00.000Z',
        updated_at: '2026-11-02T00:00:00.000Z',
      } as const;
      assert.deepEqual(
        await s.updateKey('key_b', patch),
        key('key_b', 'acct_b', { expires_at: '2027-01-01T00:00:00.000Z', ...patch }),
      );
      assert.equal(await s.updateKey('key_none', { name: 'x' }), null);
      await assert.rejects(s.createKey(key('key_dup', 'acct_a', { hash: 'hash-key_1' })));
      assert.equal(await s.getKey('key_dup'), null);
    });

    test('directoryChanges: everything from 0, then only what another connection wrote since', async () => {
      const all = await s.directoryChanges(0);
      assert.ok(all.rev > 0);
      assert.deepEqual(all.keys.map((k) => k.id).sort(), ['key_1', 'key_admin', 'key_b', 'key_op']);
      assert.deepEqual(all.accounts.map((a) => a.id).sort(), ['acct_a', 'acct_b']);
      assert.deepEqual(await s.directoryChanges(all.rev), { rev: all.rev, keys: [], accounts: [] });
      const other = place.open();
      try {
        await other.updateKey('key_1', { revoked_at: '2026-11-03T00:00:00.000Z' });
        await other.updateAccount('acct_b', { credits_pusd: 5n });
      } finally {
        await other.close();
      }
      const next = await s.directoryChanges(all.rev);
      assert.equal(next.rev, all.rev + 2);
      assert.deepEqual(
        next.keys.map((k) => [k.id, k.revoked_at]),
        [['key_1', '2026-11-03T00:00:00.000Z']],
      );
      assert.deepEqual(
        next.accounts.map((a) => [a.id, a.credits_pusd]),
        [['acct_b', 5n]],
      );
      // a revision ahead of the store's (the database was replaced) reads everything again
      assert.equal((await s.directoryChanges(next.rev + 100)).keys.length, 4);
    });

    test('keys at scale: findKeyByHash, keyset pages of keys and accounts walk every row once with created_at ties', async () => {
      assert.equal((await s.findKeyByHash('hash-key_admin'))?.id, 'key_admin');
      assert.equal(await s.findKeyByHash('hash-none'), null);
      assert.equal(await s.directoryRevision(), (await s.directoryChanges(0)).rev);
      await s.createAccount(account('acct_p', { created_at: '2026-11-05T00:00:00.000Z' }));
      // 25 keys, most of them created in the same millisecond (ties broken by id), a few revoked, two admins
      const made: string[] = [];
      for (let i = 0; i < 25; i++) {
        const id = `key_p${String((i * 7) % 25).padStart(2, '0')}`;
        await s.createKey(
          key(id, 'acct_p', {
            created_at: i < 20 ? '2026-11-05T00:00:00.000Z' : `2026-11-05T00:00:0${i - 19}.000Z`,
            revoked_at: i % 10 === 3 ? T0 : null,
            role: i % 12 === 5 ? 'admin' : 'user',
          }),
        );
        made.push(id);
      }
      const walk = async (q: { include_revoked?: boolean; roles?: Array<'user' | 'admin' | 'operator'> }) => {
        const seen: KeyRow[] = [];
        for (let after: { created_at: string; id: string } | undefined; ;) {
          const page = await s.listKeysPage({ account_id: 'acct_p', ...q, after, limit: 4 });
          seen.push(...page);
          if (page.length < 4) return seen;
          after = page[page.length - 1];
        }
      };
      const all = await walk({ include_revoked: true });
      assert.deepEqual(all.map((k) => k.id).sort(), [...made].sort(), 'every key once');
      const order = all.map((k) => `${k.created_at}|${k.id}`);
      assert.deepEqual(order, [...order].sort(), 'in (created_at, id) order');
      const live = await walk({});
      assert.equal(live.length, 25 - 3);
      assert.ok(live.every((k) => k.revoked_at === null));
      const admins = await walk({ roles: ['admin'], include_revoked: true });
      assert.deepEqual(
        admins.map((k) => k.role),
        ['admin', 'admin'],
      );
      // every account's keys: acct_p's after the others (created later)
      const first = await s.listKeysPage({ include_revoked: true, limit: 1000 });
      assert.equal(first.length, 4 + 25);
      const accounts = [];
      for (let after: { created_at: string; id: string } | undefined; ;) {
        const page = await s.listAccountsPage({ after, limit: 1 });
        accounts.push(...page.map((a) => a.id));
        if (page.length < 1) break;
        after = page[page.length - 1];
      }
      assert.deepEqual(accounts, ['acct_a', 'acct_b', 'acct_p']);
    });

    test('ledger: a batch round-trips exactly, all or nothing, with spend and activity totals', async () => {
      const big = 2n ** 62n;
      const rows = [
        gen('g1', '2026-11-01T10:00:00.000Z', big),
        gen('g2', '2026-11-01T11:00:00.000Z', 3n, {
          route: null,
          ttft_ms: null,
          model: null,
          provider: null,
          streamed: false,
        }),
        gen('g3', '2026-11-02T09:00:00.000Z', 5n, { key_id: 'key_admin', tokens_estimated: true, kind: 'embeddings' }),
      ];
      await s.insertGenerations(rows);
      assert.deepEqual(await s.getGeneration('g1'), rows[0]);
      assert.deepEqual(await s.getGeneration('g2'), rows[1]);
      assert.deepEqual(await s.getGeneration('g3'), rows[2]);
      assert.equal(await s.getGeneration('g404'), null);
      await assert.rejects(s.insertGenerations([gen('g4', '2026-11-02T10:00:00.000Z', 1n), gen('g1', T0, 1n)]));
      assert.equal(await s.getGeneration('g4'), null, 'the failed batch left nothing behind');
      assert.equal(spendOf(await s.accountSpend(), 'acct_a'), big + 8n, 'nor any spend');

      const keys = await s.keySpendSince('2026-11-02T00:00:00.000Z');
      assert.equal(spendOf(keys, 'key_1'), 0n);
      assert.equal(spendOf(keys, 'key_admin'), 5n);
      assert.equal(spendOf(await s.keySpendSince('2026-11-01T10:30:00.000Z'), 'key_1'), 3n, 'an instant: the rows');
      assert.equal(spendOf(await s.keySpendSince('2026-11-01T00:00:00.000Z'), 'key_1'), big + 3n);

      const days = await s.dailyTotals({ account_id: 'acct_a' });
      assert.deepEqual(days, [
        { date: '2026-11-01', requests: 2, prompt_tokens: 20, completion_tokens: 10, cost_pusd: big + 3n },
        { date: '2026-11-02', requests: 1, prompt_tokens: 10, completion_tokens: 5, cost_pusd: 5n },
      ]);
      assert.deepEqual(
        (await s.dailyTotals({ account_id: 'acct_a', key_id: 'key_1', from: '2026-11-01T10:30:00.000Z' })).map((d) => [
          d.date,
          d.requests,
          d.cost_pusd,
        ]),
        [['2026-11-01', 1, 3n]],
        'a partial first day counts its rows',
      );
      assert.deepEqual(
        (await s.dailyTotals({ account_id: 'acct_a', model: 'a/b', to: '2026-11-02T00:00:00.000Z' })).map(
          (d) => d.requests,
        ),
        [1],
      );
    });

    test('listGenerations: filters, newest first, and keyset paging returns every row once with created_at ties', async () => {
      const rows: GenerationRow[] = [];
      for (let i = 0; i < 25; i++) {
        // five rows share each instant: ties are broken by id
        const at = `2026-11-05T00:00:0${Math.floor(i / 5)}.000Z`;
        rows.push(
          gen(`p${String(i).padStart(2, '0')}`, at, 1n, { key_id: 'key_page', provider: i % 2 ? 'odd' : 'even' }),
        );
      }
      await s.insertGenerations(rows.slice(0, 12));
      await s.insertGenerations(rows.slice(12));
      const seen: string[] = [];
      let cursor: { created_at: string; id: string } | undefined;
      for (;;) {
        const page = await s.listGenerations({ account_id: 'acct_a', key_id: 'key_page', limit: 7, after: cursor });
        if (page.length === 0) break;
        seen.push(...page.map((g) => g.id));
        const last = page[page.length - 1]!;
        cursor = { created_at: last.created_at, id: last.id };
      }
      const expected = [...rows]
        .sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1))
        .map((g) => g.id);
      assert.deepEqual(seen, expected);
      const byOffset = await s.listGenerations({ account_id: 'acct_a', key_id: 'key_page', limit: 5, offset: 20 });
      assert.deepEqual(
        byOffset.map((g) => g.id),
        expected.slice(20),
      );
      const odd = await s.listGenerations({ account_id: 'acct_a', key_id: 'key_page', provider: 'odd', limit: 100 });
      assert.equal(odd.length, 12);
      const ranged = await s.listGenerations({
        account_id: 'acct_a',
        key_id: 'key_page',
        from: '2026-11-05T00:00:01.000Z',
        to: '2026-11-05T00:00:02.000Z',
      });
      assert.deepEqual(ranged.map((g) => g.id).sort(), ['p05', 'p06', 'p07', 'p08', 'p09']);
      assert.equal((await s.listGenerations({ account_id: 'acct_b' })).length, 0, 'another account sees none');
    });

    test('recoverGenerations: inserts only the rows not stored yet and adds only their spend; a replay is idempotent', async () => {
      const stored = gen('r1', '2026-11-07T01:00:00.000Z', 100n, { key_id: 'key_rec' });
      await s.insertGenerations([stored]);
      const lost = [
        gen('r2', '2026-11-07T02:00:00.000Z', 20n, { key_id: 'key_rec' }),
        gen('r3', '2026-11-08T02:00:00.000Z', 3n, { key_id: 'key_rec' }),
      ];
      const journal = await asParams([stored, ...lost]);
      assert.equal(await s.recoverGenerations(journal), 2);
      assert.equal(await s.recoverGenerations(journal), 0, 'a second replay inserts nothing');
      assert.equal(await s.recoverGenerations([]), 0);
      assert.deepEqual(await s.getGeneration('r2'), lost[0]);
      assert.equal(spendOf(await s.keySpendSince('2026-11-07T00:00:00.000Z'), 'key_rec'), 123n);
      const days = await s.dailyTotals({ account_id: 'acct_a', key_id: 'key_rec' });
      assert.deepEqual(
        days.map((d) => [d.date, d.requests, d.cost_pusd]),
        [
          ['2026-11-07', 2, 120n],
          ['2026-11-08', 1, 3n],
        ],
      );
    });

    test('pruneGenerations: deletes expired rows in bounded chunks; spend and whole-day totals keep counting them', async () => {
      const old = [1, 2, 3].map((d) => gen(`o${d}`, `2026-10-0${d}T12:00:00.000Z`, 1000n, { key_id: 'key_prune' }));
      const recent = gen('n1', '2026-12-01T12:00:00.000Z', 1n, { key_id: 'key_prune' });
      // a place of its own: "the oldest rows" are the oldest inserted for SQLite (rowid), by created_at for PostgreSQL
      const own = await engine.place();
      const s = own.open();
      try {
        await s.migrate();
        await s.insertGenerations([...old, recent]);
        const cutoff = '2026-10-15T00:00:00.000Z';
        let deleted = 0;
        for (;;) {
          const n = await s.pruneGenerations(cutoff, 2);
          assert.ok(n <= 2, 'at most the chunk');
          deleted += n;
          if (n < 2) break;
        }
        assert.equal(deleted, 3);
        assert.equal(await s.getGeneration('o1'), null);
        assert.ok(await s.getGeneration('n1'));
        assert.equal(await s.pruneGenerations(cutoff, 100), 0);
        assert.equal(spendOf(await s.keySpendSince('2026-10-01T00:00:00.000Z'), 'key_prune'), 3001n);
        const october = await s.dailyTotals({
          account_id: 'acct_a',
          key_id: 'key_prune',
          to: '2026-11-01T00:00:00.000Z',
        });
        assert.deepEqual(
          october.map((d) => d.requests),
          [1, 1, 1],
        );
      } finally {
        await s.close();
        await own.drop();
      }
    });
  });
}

storageContract(sqlite);
storageContract(pg);
