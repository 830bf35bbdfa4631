// Nesting depth of a JSON request body, checked on the raw bytes before JSON.parse. Every walker after the
// parse (validation messages, the dialects' request builders, JSON.stringify of the upstream body) recurses, and
// ~10k levels overflow the stack: a 100k-deep `content` was a 500, a deep `response_format` schema a 502 that
// counted against the endpoint. V8's JSON.parse itself is iterative and copes, but slowly: 1M nested arrays
// (2 MB) take 250 ms and 54 MB, 4M (an 8 MiB body) 1.3 s and 180 MB; the scan refuses them before that.
//
// Bytes, not characters: in UTF-8 every byte of a multi-byte character is ≥ 0x80, so none is mistaken for a
// quote, backslash or bracket.

/** Deeper bodies are refused (400). JSON schemas nest ~10-20 levels (OpenAI's structured outputs allow 10
 * levels of schema, ≈ 25 JSON levels with `tools[0].function.parameters` around them); 64 leaves room for
 * any real request and stays far below where a recursive walker overflows (~10k levels). */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * The offset of the bracket that opens level `limit + 1`, or -1 when the body nests at most `limit` deep.
 * Brackets inside strings do not count. Hot path: ~1 µs per KB (see test/http/json-depth.test.ts).
 */
export function tooDeepAt(buf: Uint8Array, limit: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (b === QUOTE) {
      // skip the string: its closing quote is the first one not escaped
      for (i++; i < n; i++) {
        const c = buf[i];
        if (c === BACKSLASH) i++;
        else if (c === QUOTE) break;
      }
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > limit) return i;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
  }
  return -1;
}

/** segments named in the error: enough for `tools[0].function.parameters`, the deepest place a field starts */
const NAMED_SEGMENTS = 4;

/** JSON Schema keywords that hold subschemas: `response_format.json_schema.schema`, not `….schema.properties` */
const SCHEMA_NESTING = new Set<unknown>(['properties', 'items', '$defs', 'definitions', 'anyOf', 'oneOf', 'allOf']);

/**
 * The field that holds the bracket at `offset` (from tooDeepAt), as `messages[0].content`: the first few keys
 * and indexes of its path, trailing indexes and schema keywords dropped (`temperature`, not
 * `temperature[0][0]`). A second, slower scan that only runs for a refused body; it tracks the outer levels only.
 */
export function fieldAt(buf: Uint8Array, offset: number): string {
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
      if (depth <= NAMED_SEGMENTS && depth > 0 && expectKey[depth - 1]) {
        path[depth - 1] = keyText(buf.subarray(start, i));
        expectKey[depth - 1] = false;
      }
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (depth < NAMED_SEGMENTS) {
        path[depth] = b === OPEN_ARRAY ? 0 : null;
        expectKey[depth] = b === OPEN_OBJECT;
      }
      depth++;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    } else if (b === COMMA && depth > 0 && depth <= NAMED_SEGMENTS) {
      const top = path[depth - 1];
      if (typeof top === 'number') path[depth - 1] = top + 1;
      else expectKey[depth - 1] = true;
    } else if (b === COLON && depth > 0 && depth <= NAMED_SEGMENTS) {
      expectKey[depth - 1] = false;
    }
  }
  const segments = path.slice(0, Math.min(depth, NAMED_SEGMENTS));
  while (segments.length > 0 && (typeof segments[segments.length - 1] === 'number' || SCHEMA_NESTING.has(segments[segments.length - 1]))) {
    segments.pop();
  }
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (s !== null) out += out === '' ? s : `.${s}`;
  }
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
