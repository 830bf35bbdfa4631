// Key management. GET /v1/key answers for the calling key (any key). /v1/keys and /v1/accounts are the
// admin API, shaped after OpenRouter's management keys API and scoped by role (src/auth/roles.ts, README
// "Security model"): an admin key manages its own account's keys up to its own role; accounts, credits and
// providers are the operator's. Keys and accounts a caller may not manage answer 404, as if absent. Lists page by
// cursor (src/http/paging.ts): at 1 M keys one answer of every key would be hundreds of MB.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { validate } from '../validate.js';
import type { AuthedContext, Route } from '../context.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import { readJson } from '../body.js';
import { sendJson } from '../respond.js';
import { pageAnswer, pageOf } from '../paging.js';
import { MAX_STORED_PUSD, formatUsd, parseUsd, toNumberUsd } from '../../accounting/money.js';
import { nextPeriodStart } from '../../accounting/spend.js';
import type { AccountRow, KeyRole, KeyRow } from '../../store/types.js';
import { canManageAccount, canManageKey, roleAtLeast } from '../../auth/roles.js';
import { DEFAULT_ACCOUNT_ID, ENV_ADMIN_ID } from '../../auth/directory.js';
import type { App } from '../../app.js';

const Usd = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: '^\\d+(\\.\\d{1,12})?$' }), Type.Null()]);
const Role = Type.Union([Type.Literal('user'), Type.Literal('admin'), Type.Literal('operator')]);
// what toISOString() gives and any other ISO 8601 date-time with a zone (TypeBox's `format: 'date-time'` needs a
// format registry we never set: every expires_at was refused)
const IsoDateTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})$',
});
const Reset = Type.Union([
  Type.Literal('daily'),
  Type.Literal('weekly'),
  Type.Literal('monthly'),
  Type.Literal('never'),
  Type.Null(),
]);
const RateLimitBody = Type.Object(
  {
    requests_per_minute: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    tokens_per_minute: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  },
  { additionalProperties: false },
);
const KeyFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  limit: Type.Optional(Usd),
  limit_reset: Type.Optional(Reset),
  rate_limit: Type.Optional(Type.Union([RateLimitBody, Type.Null()])),
  disabled: Type.Optional(Type.Boolean()),
  expires_at: Type.Optional(Type.Union([IsoDateTime, Type.Null()])),
  role: Type.Optional(Role),
};
const CreateKey = Type.Object(
  { ...KeyFields, account_id: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
const UpdateKey = Type.Partial(Type.Object(KeyFields), { additionalProperties: false });
const AccountFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  credits: Type.Optional(Usd),
  enabled_providers: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
};
const CreateAccount = Type.Object(AccountFields, { additionalProperties: false });
const UpdateAccount = Type.Partial(Type.Object(AccountFields), { additionalProperties: false });

function check<T>(schema: TSchema, value: unknown): T {
  return validate(schema, value, 'body') as T;
}

function usdToPusd(v: number | string | null | undefined, field: string): bigint | null | undefined {
  if (v === undefined || v === null) return v;
  let pusd: bigint;
  try {
    pusd = parseUsd(typeof v === 'number' ? v.toFixed(12).replace(/\.?0+$/, '') : v);
  } catch (err) {
    throw badRequest(`Invalid ${field}: ${(err as Error).message}`, field);
  }
  if (pusd > MAX_STORED_PUSD) {
    throw badRequest(`Invalid ${field}: at most $${formatUsd(MAX_STORED_PUSD)} (send null for no limit)`, field);
  }
  return pusd;
}

/** a future instant, stored in toISOString() form; undefined/null pass through */
function expiry(v: string | null | undefined): string | null | undefined {
  if (!v) return v === '' ? null : v;
  const t = Date.parse(v);
  if (!(t > Date.now())) throw badRequest('expires_at must be a future ISO 8601 date-time', 'expires_at');
  return new Date(t).toISOString();
}

/** the role a caller may give: never above its own; operator keys only in the default account */
function grantable(ctx: AuthedContext, role: KeyRole | undefined, accountId: string): KeyRole | undefined {
  if (role === undefined) return undefined;
  if (!roleAtLeast(ctx.key.role, role)) throw forbidden(`A ${ctx.key.role} key cannot grant the ${role} role`);
  if (role === 'operator' && accountId !== DEFAULT_ACCOUNT_ID) {
    throw badRequest('Operator keys belong to the default account', 'role');
  }
  return role;
}

// async: with Redis the usage counters live there (the embedded store answers in the same turn)
export async function keyObject(app: App, k: KeyRow) {
  const now = Date.now();
  const u = await app.spend.keyUsage(k, now);
  const remaining = k.limit_pusd === null ? null : k.limit_pusd - u.period > 0n ? k.limit_pusd - u.period : 0n;
  const rpm = k.rate_limit_rpm ?? app.config.limits.defaultRpm;
  return {
    id: k.id,
    name: k.name,
    label: k.label,
    account_id: k.account_id,
    role: k.role,
    is_admin: k.role !== 'user',
    disabled: k.disabled,
    revoked: k.revoked_at !== null,
    limit: k.limit_pusd === null ? null : toNumberUsd(k.limit_pusd),
    limit_remaining: remaining === null ? null : toNumberUsd(remaining),
    limit_reset: k.limit_reset === 'never' ? null : k.limit_reset,
    usage: toNumberUsd(u.total),
    usage_daily: toNumberUsd(u.daily),
    usage_weekly: toNumberUsd(u.weekly),
    usage_monthly: toNumberUsd(u.monthly),
    // what counts against `limit`: the usage of the current `limit_reset` period (all of it for none), and when
    // that period starts again (null: never)
    usage_period: toNumberUsd(u.period),
    limit_resets_at: k.limit_pusd === null ? null : nextPeriodStart(k.limit_reset, now),
    expired: k.expires_at !== null && Date.parse(k.expires_at) <= now,
    rate_limit: rateLimitObject(rpm, k.rate_limit_tpm ?? app.config.limits.defaultTpm),
    expires_at: k.expires_at,
    created_at: k.created_at,
    updated_at: k.updated_at,
    revoked_at: k.revoked_at,
    // OpenRouter's key fields, which its SDK requires: the key id is its `hash`, the account its workspace; no
    // BYOK, free tier or data regions here
    hash: k.id,
    workspace_id: k.account_id,
    organization_id: null,
    creator_user_id: null,
    external_user: null,
    is_management_key: k.role !== 'user',
    is_provisioning_key: k.role !== 'user',
    is_free_tier: false,
    include_byok_in_limit: false,
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    allowed_data_regions: [],
    free_model_daily_requests: { limit: 0, remaining: 0, used: 0 },
  };
}

/** ours (per minute, null = unlimited) and OpenRouter's deprecated {requests, interval, note} (-1 = unlimited) */
function rateLimitObject(rpm: number | null, tpm: number | null) {
  return {
    requests_per_minute: rpm,
    tokens_per_minute: tpm,
    requests: rpm ?? -1,
    interval: '1m',
    note: 'requests_per_minute and tokens_per_minute are the limits (null: none)',
  };
}

async function accountObject(app: App, a: AccountRow) {
  const spent = await app.spend.accountSpent(a.id);
  return {
    id: a.id,
    name: a.name,
    credits: a.credits_pusd === null ? null : toNumberUsd(a.credits_pusd),
    credits_exact: a.credits_pusd === null ? null : formatUsd(a.credits_pusd),
    usage: toNumberUsd(spent),
    credits_remaining: a.credits_pusd === null ? null : toNumberUsd(a.credits_pusd - spent),
    enabled_providers: a.enabled_providers,
    configured_providers: [...app.providers.configured.keys()],
    created_at: a.created_at,
  };
}

async function keyOr404(ctx: AuthedContext): Promise<KeyRow> {
  const k = await ctx.app.directory.getKey(ctx.params.id);
  if (!k || k.id === ENV_ADMIN_ID || !canManageKey(ctx.key, k))
    throw notFound(`Key ${ctx.params.id} not found`, 'key_not_found');
  return k;
}

function checkProviders(app: App, list: string[] | null | undefined): void {
  if (!list) return;
  const unknown = list.filter((p) => !app.catalog.providers.has(p));
  if (unknown.length) throw badRequest(`Unknown provider(s): ${unknown.join(', ')}`, 'enabled_providers');
}

async function createKey(ctx: AuthedContext) {
  const b = check<Static<typeof CreateKey>>(CreateKey, await readJson(ctx.req, ctx.app.config.bodyLimitBytes));
  const accountId = b.account_id ?? ctx.account.id;
  if (!ctx.app.directory.getAccount(accountId) || !canManageAccount(ctx.key, accountId)) {
    throw badRequest(`Unknown account ${accountId}`, 'account_id');
  }
  const { key, row } = await ctx.app.directory.createKey({
    account_id: accountId,
    name: b.name,
    role: grantable(ctx, b.role, accountId),
    limit_pusd: usdToPusd(b.limit, 'limit') ?? null,
    limit_reset: b.limit_reset ?? 'never',
    rate_limit_rpm: b.rate_limit?.requests_per_minute ?? null,
    rate_limit_tpm: b.rate_limit?.tokens_per_minute ?? null,
    disabled: b.disabled ?? false,
    expires_at: expiry(b.expires_at) ?? null,
  });
  sendJson(ctx.res, 201, { data: await keyObject(ctx.app, row), key });
}

async function updateKey(ctx: AuthedContext) {
  const k = await keyOr404(ctx);
  const b = check<Static<typeof UpdateKey>>(UpdateKey, await readJson(ctx.req, ctx.app.config.bodyLimitBytes));
  if (b.role !== undefined && k.id === ctx.key.id && b.role !== k.role)
    throw forbidden('A key cannot change its own role');
  const row = await ctx.app.directory.updateKey(k.id, {
    name: b.name,
    role: grantable(ctx, b.role, k.account_id),
    disabled: b.disabled,
    limit_pusd: usdToPusd(b.limit, 'limit'),
    limit_reset: b.limit_reset === undefined ? undefined : (b.limit_reset ?? 'never'),
    rate_limit_rpm: b.rate_limit === undefined ? undefined : (b.rate_limit?.requests_per_minute ?? null),
    rate_limit_tpm: b.rate_limit === undefined ? undefined : (b.rate_limit?.tokens_per_minute ?? null),
    expires_at: expiry(b.expires_at),
  });
  if (!row) throw notFound(`Key ${k.id} not found`, 'key_not_found');
  sendJson(ctx.res, 200, { data: await keyObject(ctx.app, row) });
}

async function revokeKey(ctx: AuthedContext) {
  const k = await keyOr404(ctx);
  if (k.id === ctx.key.id) throw badRequest('A key cannot revoke itself', 'id');
  await ctx.app.directory.revokeKey(k.id);
  sendJson(ctx.res, 200, { deleted: true, id: k.id });
}

async function createAccount(ctx: AuthedContext) {
  const b = check<Static<typeof CreateAccount>>(CreateAccount, await readJson(ctx.req, ctx.app.config.bodyLimitBytes));
  checkProviders(ctx.app, b.enabled_providers);
  const a = await ctx.app.directory.createAccount(
    b.name,
    usdToPusd(b.credits, 'credits') ?? null,
    b.enabled_providers ?? null,
  );
  sendJson(ctx.res, 201, { data: await accountObject(ctx.app, a) });
}

function accountOr404(ctx: AuthedContext): AccountRow {
  const a = ctx.app.directory.getAccount(ctx.params.id);
  if (!a || !canManageAccount(ctx.key, a.id)) throw notFound(`Account ${ctx.params.id} not found`, 'account_not_found');
  return a;
}

async function updateAccount(ctx: AuthedContext) {
  const a = accountOr404(ctx);
  const b = check<Static<typeof UpdateAccount>>(UpdateAccount, await readJson(ctx.req, ctx.app.config.bodyLimitBytes));
  // an account admin may rename its account; credits and providers are the operator's to grant
  if (ctx.key.role !== 'operator' && (b.credits !== undefined || b.enabled_providers !== undefined)) {
    throw forbidden("Credits and enabled providers are set by the operator's key");
  }
  checkProviders(ctx.app, b.enabled_providers);
  const row = await ctx.app.directory.updateAccount(a.id, {
    name: b.name,
    credits_pusd: usdToPusd(b.credits, 'credits'),
    enabled_providers: b.enabled_providers,
  });
  ctx.app.onAccountChanged();
  sendJson(ctx.res, 200, { data: await accountObject(ctx.app, row!) });
}

/** the roles of keys a caller may see in a list: its own and below (canManageKey), applied in the query */
const VISIBLE_ROLES: Record<KeyRole, readonly KeyRole[] | undefined> = {
  user: ['user'],
  admin: ['user', 'admin'],
  operator: undefined,
};

async function listKeys(ctx: AuthedContext): Promise<void> {
  const q = ctx.url.searchParams;
  const asked = q.get('account_id') ?? undefined;
  // an admin lists its own account only; another account is answered as if absent
  const account = ctx.key.role === 'operator' ? asked : ctx.account.id;
  if (asked !== undefined && asked !== account) throw notFound(`Account ${asked} not found`, 'account_not_found');
  const { limit, after } = pageOf(q);
  // one row more than the page tells whether there is a next one
  const rows = await ctx.app.directory.listKeysPage({
    account_id: account,
    include_revoked: q.get('include_revoked') === 'true',
    roles: VISIBLE_ROLES[ctx.key.role],
    after,
    limit: limit + 1,
  });
  const { page, next_cursor } = pageAnswer(rows, limit);
  const data = await Promise.all(page.filter((k) => canManageKey(ctx.key, k)).map((k) => keyObject(ctx.app, k)));
  sendJson(ctx.res, 200, { data, next_cursor });
}

async function listAccounts(ctx: AuthedContext): Promise<void> {
  const { limit, after } = pageOf(ctx.url.searchParams);
  if (ctx.key.role !== 'operator') {
    // an admin sees its own account only: one page of one
    const own = after ? [] : [ctx.account];
    sendJson(ctx.res, 200, { data: await Promise.all(own.map((a) => accountObject(ctx.app, a))), next_cursor: null });
    return;
  }
  const { page, next_cursor } = pageAnswer(
    await ctx.app.directory.listAccountsPage({ after, limit: limit + 1 }),
    limit,
  );
  sendJson(ctx.res, 200, { data: await Promise.all(page.map((a) => accountObject(ctx.app, a))), next_cursor });
}

export const keyRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/key',
    auth: 'user',
    handler: async (ctx: AuthedContext) => sendJson(ctx.res, 200, { data: await keyObject(ctx.app, ctx.key) }),
  },
  {
    // older OpenRouter path, still called by clients to validate a key
    method: 'GET',
    path: '/v1/auth/key',
    auth: 'user',
    handler: async (ctx: AuthedContext) => sendJson(ctx.res, 200, { data: await keyObject(ctx.app, ctx.key) }),
  },
  {
    method: 'GET',
    path: '/v1/keys',
    auth: 'admin',
    handler: listKeys,
  },
  { method: 'POST', path: '/v1/keys', auth: 'admin', handler: createKey },
  {
    method: 'GET',
    path: '/v1/keys/:id',
    auth: 'admin',
    handler: async (ctx: AuthedContext) =>
      sendJson(ctx.res, 200, { data: await keyObject(ctx.app, await keyOr404(ctx)) }),
  },
  { method: 'PATCH', path: '/v1/keys/:id', auth: 'admin', handler: updateKey },
  { method: 'DELETE', path: '/v1/keys/:id', auth: 'admin', handler: revokeKey },
  {
    method: 'GET',
    path: '/v1/accounts',
    auth: 'admin',
    handler: listAccounts,
  },
  { method: 'POST', path: '/v1/accounts', auth: 'operator', handler: createAccount },
  {
    method: 'GET',
    path: '/v1/accounts/:id',
    auth: 'admin',
    handler: async (ctx: AuthedContext) =>
      sendJson(ctx.res, 200, { data: await accountObject(ctx.app, accountOr404(ctx)) }),
  },
  { method: 'PATCH', path: '/v1/accounts/:id', auth: 'admin', handler: updateAccount },
];
