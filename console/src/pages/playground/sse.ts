// A tiny Server-Sent Events parser (the WHATWG event-stream format, the part a chat stream uses): text in as the
// network delivers it (any split, even inside a line or a CRLF), one callback per event's joined `data`.
// Comment lines (`: ARouter PROCESSING`, keep-alives) and `event:`/`id:`/`retry:` fields are skipped: chat
// completions put everything in `data`. eventsource-parser does this on the server; 40 lines here keep the
// page's chunk small.

export interface SseParser {
  /** the next piece of the body, decoded */
  feed(text: string): void;
  /** the body ended: an event not closed by a blank line is dropped, as the spec says */
  end(): void;
}

export function createSseParser(onData: (data: string) => void): SseParser {
  let buffer = '';
  let data: string[] = [];
  // a CR ended the last piece: a LF opening the next one belongs to it (CRLF split across reads)
  let skipLf = false;

  const line = (l: string) => {
    if (l === '') {
      if (data.length > 0) onData(data.join('\n'));
      data = [];
      return;
    }
    if (l.charCodeAt(0) === 58 /* ':' */) return;
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    if (field !== 'data') return;
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* ' ' */) value = value.slice(1);
    data.push(value);
  };

  return {
    feed(text) {
      if (skipLf && text.charCodeAt(0) === 10) text = text.slice(1);
      skipLf = false;
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        line(buffer.slice(start, i));
        if (c === 13) {
          if (i + 1 === buffer.length) skipLf = true;
          else if (buffer.charCodeAt(i + 1) === 10) i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
    end() {
      buffer = '';
      data = [];
    },
  };
}
