// `arouter reconcile`: compares the Redis spend counters (config `redis.url`) with the ledger in the configured
// storage, sets every differing counter to the ledger's value and reports the differences; --dry-run only
// reports. See src/accounting/reconcile.ts for what a crash can leave and why the ledger wins.
import { formatUsd } from '../accounting/money.js';
import { reconcile } from '../accounting/reconcile.js';
import { RedisReservationStore } from '../accounting/redis-reservations.js';
import { openStorage } from '../storage.js';
import { openRedis } from '../store/redis.js';
import { configFrom, parse } from './args.js';

export async function reconcileCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { 'dry-run': { type: 'boolean' } });
  if (positionals.length) {
    console.error(`arouter reconcile: unexpected argument "${positionals[0]}"`);
    return 2;
  }
  const config = configFrom(values);
  if (!config.redis.url) {
    console.error('arouter reconcile: no Redis configured (redis.url or AROUTER_REDIS_URL): nothing to reconcile');
    return 2;
  }
  const store = openStorage(config);
  const redis = openRedis({ url: config.redis.url, prefix: config.redis.prefix }, 'arouter-reconcile');
  try {
    await store.migrate();
    // the ttl only matters for reserve, which reconcile never calls
    const spend = new RedisReservationStore(redis, { ttlMs: config.upstream.totalDeadlineMs });
    const report = await reconcile(spend, store, { dryRun: values['dry-run'] === true });
    if (values.json) {
      console.log(JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? formatUsd(v) : v)));
    } else {
      for (const d of report.differences) {
        const delta = d.redis - d.ledger;
        const status = values['dry-run'] ? 'would fix' : d.fixed ? 'fixed' : 'skipped: changed meanwhile';
        console.log(
          `${d.kind} ${d.id} ${d.counter}: redis $${formatUsd(d.redis)} ledger $${formatUsd(d.ledger)} ` +
            `(redis ${delta > 0n ? 'high' : 'low'} by $${formatUsd(delta > 0n ? delta : -delta)}): ${status}`,
        );
      }
      console.log(
        `reconcile: ${report.accounts} accounts, ${report.keys} keys, ${report.differences.length} differences, ` +
          `${report.skipped} skipped (run again), ${report.swept} expired reservations returned`,
      );
    }
    return report.skipped > 0 ? 1 : 0;
  } finally {
    await store.close();
    await redis.quit();
  }
}
