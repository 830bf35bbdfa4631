// `storage.url` (or AROUTER_DATABASE_URL) selects PostgreSQL; without either the embedded SQLite file is used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { describeStorage, openStorage } from '../../src/storage.js';

const load = (inline: unknown, env: NodeJS.ProcessEnv = {}) => loadConfig({ inline, env });

test('storage: embedded SQLite by default, PostgreSQL from the config file or AROUTER_DATABASE_URL (which wins)', async () => {
  const none = load({ data_dir: '/tmp/x' });
  assert.deepEqual(none.storage, { url: null, schema: null });
  assert.equal(describeStorage(none), '/tmp/x/arouter.db');
  const file = load({ storage: { url: 'postgres://u:pw@db:5432/a', schema: 'arouter' } });
  assert.deepEqual(file.storage, { url: 'postgres://u:pw@db:5432/a', schema: 'arouter' });
  assert.equal(describeStorage(file), 'postgres://u:***@db:5432/a (schema arouter)', 'no password in what is shown');
  const env = load({ storage: { url: 'postgres://db/a' } }, { AROUTER_DATABASE_URL: 'postgresql://other/b' });
  assert.equal(env.storage.url, 'postgresql://other/b');
  // no connection is made until migrate(): opening the configured storage is free
  const store = openStorage(file);
  assert.equal(store.constructor.name, 'PostgresStorage');
  await store.close();
});

test('storage: a URL of another scheme or a schema that is not an identifier fails the start, naming the field', () => {
  assert.throws(() => load({ storage: { url: 'mysql://db/a' } }), /storage\/url|storage\.url/);
  assert.throws(
    () => load({ storage: { url: 'postgres://db/a', schema: 'a; drop' } }),
    /storage\/schema|storage\.schema/,
  );
  assert.throws(() => load({ storage: { uri: 'postgres://db/a' } }), ConfigError);
  assert.throws(
    () => load({}, { AROUTER_DATABASE_URL: 'http://db/a' }),
    (err: Error) =>
      err instanceof ConfigError && /AROUTER_DATABASE_URL/.test(err.message) && !/db\/a/.test(err.message),
  );
});
