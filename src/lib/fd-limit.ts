// The process's file-descriptor limit, and how many client connections fit in it. Every socket is a file
// descriptor: with the common default soft limit of 1,024, ~1,000 clients holding connections open made
// `/v1/health` fail (no descriptor left to accept with, nor for an upstream socket or the database).
import { readFileSync } from 'node:fs';

/** below this soft limit the start logs a warning: a few hundred streaming clients would exhaust it */
export const LOW_FD_LIMIT = 8192;

/**
 * Descriptors kept back from client connections: the database (main file, WAL, shared memory, the ledger
 * writer's own connection), the listening sockets, stdio, the tokenizer and catalog files, node's internals.
 */
export const FD_RESERVE = 128;

/** The soft "Max open files" of this process (Linux /proc/self/limits); null where unknown or unlimited. */
export function openFilesLimit(limitsText?: string): number | null {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return null; // not Linux
    }
  }
  const m = /^Max open files\s+(\S+)/m.exec(text);
  if (m === null || m[1] === 'unlimited') return null;
  const n = Number(m[1]);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/**
 * Client connections that leave room for each one's upstream socket: a proxied request holds two descriptors
 * (its client's and the provider's), so half of what the reserve leaves. null (no cap) when the limit is unknown.
 */
export function connectionBudget(fdLimit: number | null): number | null {
  if (fdLimit === null) return null;
  return Math.max(16, Math.floor((fdLimit - FD_RESERVE) / 2));
}

/** The operator-facing warning for a low limit, or null when the limit is fine (or unknown). */
export function lowFdLimitWarning(fdLimit: number | null, maxConnections: number): string | null {
  if (fdLimit === null || fdLimit >= LOW_FD_LIMIT) return null;
  const cap =
    maxConnections > 0
      ? `at most ${maxConnections} client connections are accepted`
      : 'client connections are not capped';
  return (
    `the open-files limit is ${fdLimit}: ${cap} (server.max_connections). ` +
    `Raise it to at least ${LOW_FD_LIMIT} before starting (\`ulimit -n 65536\` in the shell, LimitNOFILE=65536 in a ` +
    'systemd unit, --ulimit nofile=65536:65536 for docker)'
  );
}
