// `arouter keys create|list|revoke`: operates on the configured storage directly (the local data dir: run it on
// the gateway host; or the PostgreSQL database every instance shares).
import { DEFAULT_ACCOUNT_ID, Directory } from '../auth/directory.js';
import { openStorage } from '../storage.js';
import { parseUsd, formatUsd } from '../accounting/money.js';
import { KEY_ROLES, type KeyRole, type KeyRow, type LimitReset, type PageAfter } from '../store/types.js';
import { configFrom, parse } from './args.js';

export async function keysCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(rest, {
    name: { type: 'string' },
    limit: { type: 'string' },
    'limit-reset': { type: 'string' },
    rpm: { type: 'string' },
    tpm: { type: 'string' },
    expires: { type: 'string' },
    admin: { type: 'boolean' },
    role: { type: 'string' },
    account: { type: 'string' },
    'include-revoked': { type: 'boolean' },
  });
  const config = configFrom(values);
  const store = openStorage(config);
  try {
    await store.migrate();
    const dir = new Directory(store, config.adminKey);
    await dir.load();
    // the default account only: the operator key is created (and shown) by the first `arouter serve`
    await dir.bootstrap({ adminKey: false });
    switch (sub) {
      case 'create': {
        if (!values.name) throw usage('keys create needs --name');
        const reset = (values['limit-reset'] ?? 'never') as LimitReset;
        if (!['daily', 'weekly', 'monthly', 'never'].includes(reset))
          throw usage('--limit-reset must be daily|weekly|monthly|never');
        const int = (v: string | undefined, flag: string) => {
          if (v === undefined) return null;
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1) throw usage(`${flag} must be a positive integer`);
          return n;
        };
        if (values.expires && !(Date.parse(values.expires) > Date.now()))
          throw usage('--expires must be a future ISO date-time');
        const role = (values.role ?? (values.admin ? 'admin' : 'user')) as KeyRole;
        if (!KEY_ROLES.includes(role)) throw usage('--role must be user|admin|operator');
        if (role === 'operator' && values.account && values.account !== DEFAULT_ACCOUNT_ID) {
          throw usage(`operator keys belong to the default account (${DEFAULT_ACCOUNT_ID})`);
        }
        const { key, row } = await dir.createKey({
          name: values.name,
          account_id: values.account,
          role,
          limit_pusd: values.limit === undefined ? null : parseUsd(values.limit),
          limit_reset: reset,
          rate_limit_rpm: int(values.rpm, '--rpm'),
          rate_limit_tpm: int(values.tpm, '--tpm'),
          expires_at: values.expires ? new Date(values.expires).toISOString() : null,
        });
        if (values.json) console.log(JSON.stringify({ id: row.id, key, name: row.name }));
        else console.log(`Created key ${row.id} (${row.name}). It is shown only once:\n\n  ${key}\n`);
        return 0;
      }
      case 'list': {
        const keys: KeyRow[] = [];
        // page by page (src/store/directory-pages.ts): the store may hold millions of keys
        for (let after: PageAfter | undefined; ;) {
          const page = await dir.listKeysPage({
            account_id: values.account,
            include_revoked: values['include-revoked'],
            after,
            limit: 1000,
          });
          keys.push(...page);
          if (page.length < 1000) break;
          after = page[page.length - 1];
        }
        if (values.json) {
          console.log(
            JSON.stringify(
              keys.map((k) => ({
                ...k,
                hash: undefined,
                limit_pusd: undefined,
                limit: k.limit_pusd === null ? null : formatUsd(k.limit_pusd),
              })),
            ),
          );
          return 0;
        }
        console.log(['ID', 'NAME', 'LABEL', 'ROLE', 'STATE', 'LIMIT', 'RESET'].join('\t'));
        for (const k of keys) {
          const state = k.revoked_at ? 'revoked' : k.disabled ? 'disabled' : 'active';
          console.log(
            [
              k.id,
              k.name,
              k.label,
              k.role,
              state,
              k.limit_pusd === null ? '-' : `$${formatUsd(k.limit_pusd)}`,
              k.limit_reset,
            ].join('\t'),
          );
        }
        return 0;
      }
      case 'revoke': {
        const id = positionals[0];
        if (!id) throw usage('keys revoke needs a KEY_ID (see `arouter keys list`)');
        const row = await dir.revokeKey(id);
        if (!row) {
          console.error(`arouter: no key with id ${id}`);
          return 1;
        }
        console.log(`Revoked ${row.id} (${row.name}). A server running on this data dir refuses it within a second.`);
        return 0;
      }
      default:
        throw usage(`unknown keys subcommand ${sub ?? '(none)'}; use create, list or revoke`);
    }
  } finally {
    await store.close();
  }
}

function usage(msg: string): Error {
  const e = new Error(msg);
  (e as { code?: string }).code = 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
  return e;
}
