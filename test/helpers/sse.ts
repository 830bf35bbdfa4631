// A small Server-Sent Events reader for end-to-end tests that speak raw HTTP: it parses `event:` / `data:` lines
// into events as bytes arrive, so a test can stop (abort) after N events, or read a whole stream to its end.
// Written for the tests (not the gateway's parser) so a bug in ARouter's own SSE writing cannot hide in both.

export interface SseEvent {
  /** the `event:` name, or null when the event has none (Chat Completions chunks) */
  event: string | null;
  /** the joined `data:` lines */
  data: string;
}

/** Yields each complete event of a response body; `[DONE]` is yielded as an ordinary data event. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true }).replace(/\r\n/g, '\n');
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const ev = parseBlock(block);
        if (ev) yield ev;
      }
    }
    const last = parseBlock(buf);
    if (last) yield last;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function parseBlock(block: string): SseEvent | null {
  let event: string | null = null;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length || event !== null ? { event, data: data.join('\n') } : null;
}
