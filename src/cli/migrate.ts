// `arouter migrate`: applies the schema migrations of the configured storage and exits. `serve` also migrates at
// start (under an advisory lock on PostgreSQL, so instances starting together migrate once); this runs them
// ahead of a deploy, from one place.
import { describeStorage, openStorage } from '../storage.js';
import { configFrom, parse } from './args.js';

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {});
  if (positionals.length) {
    console.error(`arouter migrate: unexpected argument "${positionals[0]}"`);
    return 2;
  }
  const config = configFrom(values);
  const store = openStorage(config);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
  const where = describeStorage(config);
  if (values.json) console.log(JSON.stringify({ migrated: true, storage: where }));
  else console.log(`migrated: ${where}`);
  return 0;
}
