// Nesting depth of a JSON request body, checked on the raw bytes before JSON.parse. Every walker after the
// parse (validation messages, the dialects' request builders, JSON.stringify of the upstream body) recurses,
// and a few thousand levels overflow the stack (JSON.stringify of nested arrays: ~4,000 on Node 20): a
// 100k-deep `content` was a 500, a deep `response_format` schema a 502 that counted against the endpoint.
// V8's JSON.parse itself is iterative and copes, but slowly: 1M nested arrays (2 MB) take 250 ms and 54 MB,
// 4M (an 8 MiB body) 1.3 s and 180 MB; the scan refuses them before that.
//
// Bytes, not characters: in UTF-8 every byte of a multi-byte character is ≥ 0x80, so none is mistaken for a
// quote, backslash or bracket.

/** Deeper bodies are refused (400). JSON schemas nest ~10-20 levels (OpenAI's structured outputs allow 10
 * levels of schema, ≈ 25 JSON levels with `tools[0].function.parameters` around them); 64 leaves room for
 * any real request and stays far below where a recursive walker overflows (thousands of levels). */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

/**
 * The offset of the bracket that opens level `limit + 1`, or -1 when the body nests at most `limit` deep.
 * Brackets inside strings do not count. Hot path: 1.6-4 µs for a 2 KB chat body on a busy 2-core machine, a
 * fraction of the JSON.parse that follows (6-19 µs); test/http/json-depth.test.ts prints it.
 */
export function tooDeepAt(buf: Uint8Array, limit: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (b === QUOTE) {
      i = stringEnd(buf, i);
      if (i < 0) return -1;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > limit) return i;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
  }
  return -1;
}

/**
 * The offset of the quote closing the string opened at `open`, or -1 when it never closes (JSON.parse then
 * says so). Strings are most of a chat body: indexOf skips them natively, several times faster than a loop.
 */
function stringEnd(buf: Uint8Array, open: number): number {
  let q = open;
  for (;;) {
    q = buf.indexOf(QUOTE, q + 1);
    if (q < 0) return -1;
    // escaped when preceded by an odd number of backslashes
    let k = q - 1;
    while (buf[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q;
  }
}

/** how much of the path to the too-deep bracket is tracked: enough to reach any field a schema defines */
const TRACKED_SEGMENTS = 8;

/**
 * The path (keys and indexes) to the container holding the bracket at `offset` (from tooDeepAt), its first
 * TRACKED_SEGMENTS segments. A second, slower scan that only runs for a refused body.
 */
export function pathAt(buf: Uint8Array, offset: number): (string | number)[] {
  // per open container: an array's current index, or an object's current key (null before the first one)
  const path: (number | string | null)[] = [];
  // in an object, the next string is a key (after `{` or `,`), not a value (after `:`)
  const expectKey: boolean[] = [];
  let depth = 0;
  for (let i = 0; i < offset; i++) {
    const b = buf[i];
    if (b === QUOTE) {
      const start = i + 1;
      for (i++; i < offset; i++) {
        const c = buf[i];
        if (c === BACKSLASH) i++;
        else if (c === QUOTE) break;
      }
      if (depth > 0 && depth <= TRACKED_SEGMENTS && expectKey[depth - 1]) {
        path[depth - 1] = keyText(buf.subarray(start, i));
        expectKey[depth - 1] = false;
      }
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (depth < TRACKED_SEGMENTS) {
        path[depth] = b === OPEN_ARRAY ? 0 : null;
        expectKey[depth] = b === OPEN_OBJECT;
      }
      depth++;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    } else if (b === COMMA && depth > 0 && depth <= TRACKED_SEGMENTS) {
      const top = path[depth - 1];
      if (typeof top === 'number') path[depth - 1] = top + 1;
      else expectKey[depth - 1] = true;
    }
  }
  const out: (string | number)[] = [];
  for (const s of path.slice(0, Math.min(depth, TRACKED_SEGMENTS))) {
    if (s === null) break;
    out.push(s);
  }
  return out;
}

/** JSON Schema keywords that hold subschemas: `response_format.json_schema.schema`, not `….schema.properties` */
const SCHEMA_NESTING = new Set<unknown>(['properties', 'items', '$defs', 'definitions', 'anyOf', 'oneOf', 'allOf']);

/**
 * The field to name for a too-deep path, as `messages[0].content`. `defined` is how many of its segments
 * the route's request schema defines (the rest is the client's free-form nesting); without it, the first
 * four segments. Trailing indexes are dropped (`temperature`, not `temperature[0][0]`), and without a
 * schema trailing JSON Schema keywords too.
 */
export function fieldName(path: readonly (string | number)[], defined?: number): string {
  const segments = path.slice(0, defined ?? 4);
  const drop = (s: string | number) => typeof s === 'number' || (defined === undefined && SCHEMA_NESTING.has(s));
  while (segments.length > 0 && drop(segments[segments.length - 1])) segments.pop();
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

function keyText(raw: Uint8Array): string {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  if (!text.includes('\\')) return text.slice(0, 100);
  try {
    return (JSON.parse(`"${text}"`) as string).slice(0, 100);
  } catch {
    return text.slice(0, 100);
  }
}
