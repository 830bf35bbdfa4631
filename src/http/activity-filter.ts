// The scope and filters /v1/activity and /v1/activity/daily share: whose rows a key may read (a user key its own,
// whatever `key_id` says; an admin its account, `key_id` narrowing; an operator any account by `account_id`), and
// the `model` / `provider` filters. Another account than the caller's is answered as absent.
import type { AuthedContext } from './context.js';
import { notFound } from './errors.js';
import type { ActivityFilter } from '../store/types.js';

export function activityScope(ctx: AuthedContext): ActivityFilter {
  const q = ctx.url.searchParams;
  const asked = q.get('account_id');
  if (asked && asked !== ctx.account.id && !(ctx.key.role === 'operator' && ctx.app.directory.getAccount(asked))) {
    throw notFound(`Account ${asked} not found`, 'account_not_found');
  }
  const f: ActivityFilter = { account_id: asked || ctx.account.id };
  if (ctx.key.role === 'user') f.key_id = ctx.key.id;
  else if (q.get('key_id')) f.key_id = q.get('key_id')!;
  if (q.get('model')) f.model = q.get('model')!;
  if (q.get('provider')) f.provider = q.get('provider')!;
  return f;
}
