// Turns a recorded agent session into a stable fixture: per-run values (ports, temp paths, session and request ids,
// dates, lengths) are replaced by placeholders, so re-recording with the same agent versions changes nothing and
// an agent upgrade shows as a readable diff.
import { readFileSync, writeFileSync } from 'node:fs';
import type { RecordedRequest } from './agent-stub.js';

export interface AgentSessionFixture {
  agent: string;
  version: string;
  /** how the agent was started (key redacted), so the recording can be reproduced */
  command: string[];
  env: Record<string, string>;
  requests: RecordedRequest[];
}

export interface Placeholders {
  /** literal strings (temp dirs, the stub's origin) → their placeholder */
  literals: [string, string][];
}

const PATTERNS: [RegExp, string][] = [
  // UUIDs (v4 session ids, v7 thread/turn ids)
  [/(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])/g, '<uuid>'],
  // Claude Code's device id
  [/\b[0-9a-f]{64}\b/g, '<hex64>'],
  // unix milliseconds (turn_started_at_unix_ms and the like)
  [/\b1\d{12}\b/g, '<unix-ms>'],
  // Codex's tool output header: a chunk id and a wall time that differ per run
  [/Chunk ID: [0-9a-f]+/g, 'Chunk ID: <id>'],
  [/Wall time: [0-9.]+ seconds/g, 'Wall time: <s> seconds'],
];

export function normalize<T>(value: T, placeholders: Placeholders): T {
  let text = JSON.stringify(value);
  // longest first, so a path is not half-replaced by a shorter one it contains
  const literals = [...placeholders.literals].sort((a, b) => b[0].length - a[0].length);
  for (const [literal, placeholder] of literals) {
    const escaped = JSON.stringify(literal).slice(1, -1);
    text = text.split(escaped).join(placeholder);
  }
  for (const [re, placeholder] of PATTERNS) text = text.replace(re, placeholder);
  return sortUnorderedMaps(JSON.parse(text)) as T;
}

// Codex builds client_metadata from a hash map: its key order changes from run to run
const UNORDERED = new Set(['client_metadata']);

function sortUnorderedMaps(value: unknown, sort = false): unknown {
  if (Array.isArray(value)) return value.map((v) => sortUnorderedMaps(v));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([k, v]) => [k, sortUnorderedMaps(v, UNORDERED.has(k))] as const);
  if (sort) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

/** content-length and host vary with the placeholders' real values */
export function stableHeaders(req: RecordedRequest): RecordedRequest {
  const headers = { ...req.headers };
  if ('content-length' in headers) headers['content-length'] = '<n>';
  if ('host' in headers) headers.host = '127.0.0.1:<port>';
  return { ...req, headers };
}

export function writeFixture(path: string, fixture: AgentSessionFixture): void {
  writeFileSync(path, JSON.stringify(fixture, null, 2) + '\n');
}

export function readFixture(path: string): AgentSessionFixture {
  return JSON.parse(readFileSync(path, 'utf8')) as AgentSessionFixture;
}
