// API key material. Keys are `lr_live_` + 40 base62 characters (~238 bits), shown once and stored only
// as a SHA-256 hash: with that much entropy a fast hash is safe, and it keeps auth off the CPU profile.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const KEY_PREFIX = 'lr_live_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 40;

export function generateKey(): string {
  let out = '';
  while (out.length < BODY_LENGTH) {
    for (const b of randomBytes(64)) {
      // rejection sampling: 248 = 62 * 4, so bytes ≥ 248 would bias the alphabet
      if (b < 248) out += ALPHABET[b % 62];
      if (out.length === BODY_LENGTH) break;
    }
  }
  return KEY_PREFIX + out;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** display form that identifies a key without revealing it */
export function keyLabel(key: string): string {
  return `${key.slice(0, KEY_PREFIX.length + 3)}...${key.slice(-3)}`;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}
