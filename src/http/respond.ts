import type { ServerResponse } from 'node:http';

// Headers every answer of a request carries whichever writer sends it: the request id (x-request-id), and for
// some requests the key's rate-limit window or CORS headers. They are recorded on the response as the request
// is handled and added by the writers below in their single writeHead: res.setHeader() beforehand would send
// every later writeHead of that response down node's slower merge path (each header set, lower-cased and
// stored again), measured ~14 µs per chat completion on the bench machine.
const REQUEST_ID = Symbol('arouter.requestId');
const EXTRA = Symbol('arouter.extraHeaders');

type Tagged = ServerResponse & { [REQUEST_ID]?: string; [EXTRA]?: Record<string, string> };

export function setRequestId(res: ServerResponse, id: string): void {
  (res as Tagged)[REQUEST_ID] = id;
}

/** a header for whatever answer this response ends up being (the writer's own headers of that name win) */
export function addCommonHeader(res: ServerResponse, name: string, value: string): void {
  ((res as Tagged)[EXTRA] ??= {})[name] = value;
}

/** `headers` plus the response's common headers (mutates and returns `headers`) */
export function withCommonHeaders<T extends Record<string, string | number>>(res: ServerResponse, headers: T): T {
  const h = headers as Record<string, string | number>;
  const id = (res as Tagged)[REQUEST_ID];
  if (id !== undefined) h['x-request-id'] = id;
  const extra = (res as Tagged)[EXTRA];
  if (extra !== undefined) for (const k in extra) if (!(k in h)) h[k] = extra[k];
  return headers;
}

/** Sends a JSON body; pass a pre-serialised string to skip JSON.stringify on cached answers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(
    status,
    withCommonHeaders(res, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    }),
  );
  res.end(text);
}
