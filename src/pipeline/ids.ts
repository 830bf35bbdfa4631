import { randomHex } from '../lib/random-hex.js';

export function generationId(): string {
  // OpenRouter's shape: gen-<unix seconds>-<random>. The time prefix keeps the ledger's primary-key index
  // append-mostly: measured 2.3× cheaper SQLite inserts than fully random ids (README "Performance").
  // 20 hex digits = 80 random bits, from a pooled buffer (randomBytes per id cost ~2 µs)
  return `gen-${Math.floor(Date.now() / 1000)}-${randomHex(10)}`;
}

const NOT_VISIBLE = /[^\x20-\x7e]/;

/** `openai=502(120ms), azure=200(340ms)`: visible ASCII (a header value), at most 512 characters */
export function attemptsHeader(
  attempts: Array<{ provider: string; status: number; duration_ms: number; error?: string }>,
): string {
  let s = '';
  for (const a of attempts)
    s += `${s ? ', ' : ''}${a.provider}=${a.error === 'circuit_open' ? 'skipped' : a.status}(${a.duration_ms}ms)`;
  if (NOT_VISIBLE.test(s)) s = s.replace(/[^\x20-\x7e]/g, '?');
  return s.length > 512 ? s.slice(0, 512) : s;
}
