// Preloaded into the Portkey gateway process (node --import) to work around a known Portkey bug, so that its
// streaming path can be measured at all: Portkey-AI/gateway#1389 / #1550. With @hono/node-server > 1.14.2
// (npm resolves Portkey's "^1.3.3" to the newest 1.19.x, which @hono/node-ws also requires), a native
// fetch() Response passed as the init of Hono's lightweight Response keeps its *immutable* Headers, and
// Portkey's ResponseService.updateHeaders() then throws "TypeError: immutable" → every stream: true request
// answers 500 "Something went wrong". The fix proposed upstream (PR #1551) re-wraps the response; this does
// the same one step earlier: upstream responses come back with ordinary (mutable) headers. Cost: one
// Response object per upstream call, negligible next to Portkey's own per-request work.
const nativeFetch = globalThis.fetch;
const NativeResponse = globalThis.Response;

globalThis.fetch = async function fetchWithMutableHeaders(
  input: Parameters<typeof fetch>[0],
  init?: Parameters<typeof fetch>[1],
): Promise<Response> {
  const r = await nativeFetch(input, init);
  return new NativeResponse(r.body, { status: r.status, statusText: r.statusText, headers: r.headers });
};

export {};
