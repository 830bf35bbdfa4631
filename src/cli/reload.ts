// `arouter reload`: asks a running server to re-read its config (POST /v1/admin/reload, as SIGHUP does) and prints
// what changed, what needs a restart, or why the config was refused. The server is found from the same config
// (server.host and port; --url otherwise), the key from AROUTER_ADMIN_KEY, else the operator key the first start
// saved in the data dir. With --workers N, or several instances behind a balancer, the endpoint reloads the one
// process that answers: send SIGHUP to the primary (or to each instance) instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFrom, parse } from './args.js';

export async function reloadCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { url: { type: 'string' } });
  if (positionals.length) {
    console.error(`arouter reload: unexpected argument "${positionals[0]}"`);
    return 2;
  }
  const config = configFrom(values);
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  const base =
    (values.url as string | undefined) ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port}/v1`;
  let key = config.adminKey;
  if (!key) {
    try {
      key = readFileSync(join(config.dataDir, 'admin-key.txt'), 'utf8').trim();
    } catch {
      console.error(
        `arouter reload: no operator key: set AROUTER_ADMIN_KEY (none saved in ${join(config.dataDir, 'admin-key.txt')})`,
      );
      return 2;
    }
  }
  let res: Response;
  try {
    res = await fetch(`${base.replace(/\/$/, '')}/admin/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
  } catch (err) {
    console.error(`arouter reload: ${base} is not answering (${(err as Error).cause ?? (err as Error).message})`);
    return 1;
  }
  const text = await res.text();
  if (values.json) console.log(text);
  else if (res.status === 200) {
    const r = JSON.parse(text) as { changed: string[]; needs_restart: string[] };
    console.log(r.changed.length ? `reloaded; changed: ${r.changed.join(', ')}` : 'reloaded; nothing changed');
    if (r.needs_restart.length) console.log(`needs a restart (running values kept): ${r.needs_restart.join(', ')}`);
  } else {
    let message = text;
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {
      // not our error shape: shown as it came
    }
    console.error(`arouter reload: HTTP ${res.status}: ${message}`);
  }
  return res.status === 200 ? 0 : 1;
}
