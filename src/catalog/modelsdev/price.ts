// models.dev prices are USD per MILLION tokens (TOML numbers); ours are USD per token as decimal strings.
// The conversion is a decimal point shift done on digits, never float arithmetic, so 0.075 $/M becomes
// exactly "0.000000075". A TOML number reaches us as a JS double; its shortest round-trip form (String())
// is the literal that was written as long as the literal has at most 15 significant digits, which we check.

/** "0.075" / 0.075 / 7.5e-2 → digits and scale: 75 × 10^-3 */
function parseDecimal(raw: string): { digits: bigint; scale: number } {
  const m = /^(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(raw.trim().replace(/_/g, ''));
  if (!m) throw new Error(`not a non-negative decimal: ${JSON.stringify(raw)}`);
  const frac = m[2] ?? '';
  const digits = BigInt(m[1] + frac);
  const scale = frac.length - Number(m[3] ?? 0);
  return { digits, scale };
}

function formatDecimal(digits: bigint, scale: number): string {
  if (digits === 0n) return '0';
  let s = digits.toString();
  if (scale <= 0) return s + '0'.repeat(-scale);
  while (scale > 0 && s.endsWith('0')) {
    s = s.slice(0, -1);
    scale--;
  }
  if (scale === 0) return s;
  const padded = s.padStart(scale + 1, '0');
  return `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** at most 12 decimals: what the catalog validator (src/catalog/catalog.ts) accepts */
export const MAX_DECIMALS = 12;

/** USD per million tokens (number or decimal string) → USD per token as an exact decimal string */
export function perMillionToPerToken(v: number | string): string {
  return shift(v, 6);
}

/** a per-unit price (per request, per image) kept as is, normalised */
export function perUnit(v: number | string): string {
  return shift(v, 0);
}

function shift(v: number | string, places: number): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new Error(`price ${v} is not a finite non-negative number`);
    const sig = String(v).replace(/e.*$/i, '').replace(/[^\d]/g, '').replace(/^0+/, '');
    if (sig.length > 15) throw new Error(`price ${v} has more than 15 significant digits: not an exact literal`);
  }
  const { digits, scale } = parseDecimal(String(v));
  const out = formatDecimal(digits, scale + places);
  const dot = out.indexOf('.');
  if (dot >= 0 && out.length - dot - 1 > MAX_DECIMALS) {
    throw new Error(`price ${v} per million needs more than ${MAX_DECIMALS} decimals per token`);
  }
  return out;
}
