// Exact money. Every amount inside ARouter is a bigint count of picodollars (1 USD = 10^12 pUSD).
//
// Why picodollars: catalog prices are USD per token with up to ~10 significant decimals
// (e.g. "0.000000075" = $0.075 per million tokens). 12 decimals represent every published price exactly,
// so a request's cost (integer tokens x integer price) is an exact integer, and sums of costs are exact in
// any order. Floats are only produced at the edge (`toNumberUsd`) for JSON fields such as `usage.cost`.
//
// Range: a signed 64-bit integer (what a Redis/SQLite port stores) holds +-9.2e18 pUSD = +-9.2 million USD,
// which bounds any single account's lifetime spend we need to represent in those stores. bigint itself is
// unbounded, so in-process arithmetic never overflows.

export type Pusd = bigint;

export const PUSD_DECIMALS = 12;
/** pUSD in one US dollar. */
export const PUSD_PER_USD = 1_000_000_000_000n;
export const ZERO: Pusd = 0n;

const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/;

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoneyError';
  }
}

/**
 * Parse a non-negative plain decimal USD string ("0", "12", "0.0000025") into pUSD.
 *
 * Rejected, each with a message naming the input:
 * - exponent forms ("1e-7"): catalogs publish plain decimals, and accepting exponents invites values that
 *   were produced by float formatting, which is exactly the imprecision this module exists to avoid;
 * - negatives: no price or credit amount is negative; deltas are computed with bigint subtraction;
 * - more than 12 significant decimals: they cannot be represented exactly. Extra trailing zeros
 *   ("0.00000000000100") are accepted because they lose nothing.
 * - empty strings, signs, whitespace, ".5", "5." - ambiguous or sloppy input is a catalog bug to surface.
 */
export function parseUsd(text: string): Pusd {
  if (typeof text !== 'string') throw new MoneyError(`USD amount must be a decimal string, got ${typeof text}`);
  const m = DECIMAL_RE.exec(text);
  if (m === null) {
    if (/[eE]/.test(text))
      throw new MoneyError(`USD amount "${text}" uses exponent notation; write it as a plain decimal`);
    if (text.trim().startsWith('-')) throw new MoneyError(`USD amount "${text}" is negative`);
    throw new MoneyError(`USD amount "${text}" is not a plain decimal number`);
  }
  const whole = m[1];
  let frac = m[2] ?? '';
  if (frac.length > PUSD_DECIMALS) {
    const extra = frac.slice(PUSD_DECIMALS);
    if (!/^0+$/.test(extra)) {
      throw new MoneyError(
        `USD amount "${text}" has more than ${PUSD_DECIMALS} decimals and cannot be represented exactly`,
      );
    }
    frac = frac.slice(0, PUSD_DECIMALS);
  }
  return BigInt(whole) * PUSD_PER_USD + BigInt(frac.padEnd(PUSD_DECIMALS, '0'));
}

/** Canonical decimal string: no exponent, no trailing zeros, "0" for zero, leading "-" for negatives. */
export function formatUsd(pusd: Pusd): string {
  const neg = pusd < 0n;
  const abs = neg ? -pusd : pusd;
  const whole = abs / PUSD_PER_USD;
  const frac = abs % PUSD_PER_USD;
  let out = whole.toString();
  if (frac !== 0n) {
    // trailing zeros trimmed by hand: a regex here showed up in route-plan profiles (two amounts per endpoint)
    const digits = frac.toString().padStart(PUSD_DECIMALS, '0');
    let end = digits.length;
    while (digits.charCodeAt(end - 1) === 48 /* 0 */) end--;
    out += '.' + digits.slice(0, end);
  }
  return neg ? '-' + out : out;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * USD as a JS number, for JSON fields. Always the double nearest to the exact value: below 2^53 pUSD
 * (~$9007) both operands of the division are exact so IEEE division rounds once; above that we go through
 * the decimal string so Number() does the single rounding.
 */
export function toNumberUsd(pusd: Pusd): number {
  if (pusd <= MAX_EXACT && pusd >= -MAX_EXACT) return Number(pusd) / 1e12;
  return Number(formatUsd(pusd));
}

/**
 * A count (tokens, images, searches) as bigint. Counts come from upstream JSON, so they are checked rather
 * than trusted: a fractional or negative count would otherwise throw deep inside BigInt() or silently
 * credit the user.
 */
export function countToBigInt(count: number): bigint {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new MoneyError(`count must be a non-negative safe integer, got ${count}`);
  }
  return BigInt(count);
}

/** price (pUSD per unit) x count units. */
export function mulCount(price: Pusd, count: number): Pusd {
  return count === 0 ? 0n : price * countToBigInt(count);
}

export function addUsd(...amounts: Pusd[]): Pusd {
  let s = 0n;
  for (const a of amounts) s += a;
  return s;
}

export function sumUsd(amounts: Iterable<Pusd>): Pusd {
  let s = 0n;
  for (const a of amounts) s += a;
  return s;
}

export function maxUsd(a: Pusd, b: Pusd): Pusd {
  return a > b ? a : b;
}

export function minUsd(a: Pusd, b: Pusd): Pusd {
  return a < b ? a : b;
}

/**
 * The largest amount storage can hold: a signed 64-bit integer of pUSD (SQLite INTEGER, PostgreSQL BIGINT,
 * Redis INCRBY), $9,223,372.036854775807. Credits and limits above it are refused as the client's error rather
 * than failing in storage (issue 12: $99,999,999 of credits answered 500).
 */
export const MAX_STORED_PUSD: Pusd = 2n ** 63n - 1n;
