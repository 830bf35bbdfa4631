// ARouter's own CPU per chat completion, in-process and without sockets: the real HTTP handler (auth, plan,
// limits, reservation, dialect build, answer translation, accounting, ledger row, access log) driven with
// node:http request/response objects on an in-memory socket, the upstream call answered from memory.
// What it leaves out is what a pass-through proxy pays too (kernel, HTTP parsing, the upstream client), so
// it isolates the router's logic from the machine's noise: use it to A/B a hot-path change in seconds, then
// confirm with `npm run bench`. Run it built (tsx adds a __name() call per function):
//   npm run build && node dist/bench/request-cost.js [requests] [rounds] [--stream | --floor] [--no-journal]
//   [--no-metrics | --ab-metrics] [--tracing[=R]]
// --stream: streamed answers (the bench upstream's 20 chunks, one read per event-loop turn);
// --floor: a handler that only reads the JSON request, stringifies it once, parses the answer and writes it.
// --no-journal: `ledger.journal: false` (the A/B of the ledger's write-ahead journal, src/store/journal.ts).
// --no-metrics: `metrics.enabled: false` (the A/B of the Prometheus metrics, src/telemetry/).
// --ab-metrics: one process, rounds alternating with the request observers and metrics on and off (the
//   collectors of process metrics stay on in both): the A/B with the least noise between its two sides.
// --tracing[=R]: OpenTelemetry traces on, every trace (or the share R) sampled and exported (OTLP/HTTP JSON) to a
// discarding sink in this process (its reading of the exports is counted too: an upper bound of tracing's cost).
import { IncomingMessage, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { App } from '../src/app.js';
import { Logger } from '../src/lib/log.js';
import { buildRouter, createHttpServer } from '../src/http/server.js';
import { allRoutes } from '../src/http/routes/index.js';
import type { BodyConsumer, UpstreamReply } from '../src/providers/transport.js';
import { arouterConfig } from './targets.js';
import { CHAT_BODY, CHAT_STREAM_BODY, HOST } from './common.js';
import { startTraceSink } from './trace-sink.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(args[0] ?? 20_000);
const ROUNDS = Number(args[1] ?? 5);
const dataDir = mkdtempSync(join(tmpdir(), 'arouter-reqcost-'));
const ADMIN = 'lr_live_' + 'a'.repeat(40);
const env = {
  AROUTER_ADMIN_KEY: ADMIN,
  AROUTER_LOG_LEVEL: process.env.AROUTER_LOG_LEVEL ?? 'info',
  BENCH_UPSTREAM_KEY: 'sk-x',
};
const tracingArg = process.argv.find((a) => a === '--tracing' || a.startsWith('--tracing='));
const sink = tracingArg ? await startTraceSink(HOST) : null;
// --tracing=R: that share of traces sampled (the rest are spans that record nothing)
const ratio = tracingArg?.startsWith('--tracing=') ? Number(tracingArg.slice('--tracing='.length)) : 1;
const inline = {
  ...arouterConfig('http://127.0.0.1:9/v1'),
  ledger: { journal: !process.argv.includes('--no-journal') },
  ...(sink ? { tracing: { endpoint: sink.url, sample_ratio: ratio } } : {}),
  metrics: { enabled: !process.argv.includes('--no-metrics') },
};
const config = loadConfig({ inline, env, flags: { port: 0, host: '127.0.0.1', dataDir } });
// the access log is built as in production, then dropped (the bench sends it to /dev/null)
const app = new App({ config, env, logger: new Logger(config.logLevel, () => undefined) });
await app.init();

const ANSWER = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'echo',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 8, completion_tokens: 9, total_tokens: 17 },
  }),
);
const reply: UpstreamReply = { status: 200, headers: () => ({ 'content-type': 'application/json' }), body: ANSWER };
app.transport.fetch = () => Promise.resolve({ status: reply.status, headers: reply.headers, body: reply.body });

// --stream: the bench upstream's stream (20 chunks, then usage and [DONE]), one network read per event-loop turn
const STREAM = process.argv.includes('--stream');
const chunk = (delta: object, finish: string | null) =>
  Buffer.from(
    `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'echo', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
  );
const FRAMES = Array.from({ length: 20 }, (_, i) =>
  chunk(i === 0 ? { role: 'assistant', content: 'tok0' } : { content: ` tok${i}` }, i === 19 ? 'stop' : null),
);
FRAMES.push(
  Buffer.from(
    `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'echo', choices: [], usage: { prompt_tokens: 8, completion_tokens: 20, total_tokens: 28 } })}\n\ndata: [DONE]\n\n`,
  ),
);
app.transport.open = () =>
  Promise.resolve({
    status: 200,
    headers: () => ({ 'content-type': 'text/event-stream' }),
    maxEventBytes: 1 << 20,
    pipe(c: BodyConsumer) {
      let i = 0;
      const next = () => {
        if (i < FRAMES.length) {
          c.data(FRAMES[i++]);
          setImmediate(next);
        } else c.end();
      };
      setImmediate(next);
    },
    resume() {},
    cancel() {},
    text: () => Promise.resolve(''),
  });

const server = createHttpServer(app, buildRouter(allRoutes));
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** the floor: what any proxy that reads the JSON request and writes a JSON answer pays in this harness */
const floor: Handler = (req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    const r = JSON.parse(Buffer.concat(parts).toString()) as { model: string };
    void app.transport
      .fetch({ url: '', method: 'POST', headers: {}, body: JSON.stringify(r) }, null as never)
      .then((up) => {
        const a = JSON.parse(up.body.toString()) as { model: string };
        a.model = r.model;
        const text = JSON.stringify(a);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
      });
  });
};
if (STREAM && process.argv.includes('--floor')) throw new Error('--floor is for JSON answers only');
const onRequest: Handler = process.argv.includes('--floor') ? floor : (server.listeners('request')[0] as Handler);

const { key: userKey } = await app.directory.createKey({ name: 'bench' });
const body = Buffer.from(STREAM ? CHAT_STREAM_BODY : CHAT_BODY);
const headers = {
  host: 'x',
  authorization: `Bearer ${userKey}`,
  'content-type': 'application/json',
  'content-length': String(body.length),
};
const rawHeaders = Object.entries(headers).flat();

class NullSocket extends Duplex {
  bytes = 0;
  override _read(): void {}
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.bytes += c.length;
    cb();
  }
}

function one(): Promise<number> {
  const socket = new NullSocket();
  const req = new IncomingMessage(socket as never);
  req.method = 'POST';
  req.url = '/v1/chat/completions';
  req.headers = headers;
  req.rawHeaders = rawHeaders;
  const res = new ServerResponse(req);
  res.assignSocket(socket as never);
  return new Promise((resolve) => {
    res.once('finish', () => {
      // node:http emits 'close' after 'finish' for a served request (the access log and abort hooks use it)
      process.nextTick(() => {
        res.detachSocket(socket as never);
        res.emit('close');
        resolve(res.statusCode);
      });
    });
    // each request starts in its own event-loop turn, as one read from a socket does: timers (the ledger's
    // flush) and messages from the ledger thread get their turns in between, as they do under real load
    setImmediate(() => {
      onRequest(req, res);
      req.push(body);
      req.complete = true;
      req.push(null);
    });
  });
}

const first = await one();
if (first !== 200) throw new Error(`request answered ${first}`);
const WINDOW = 50; // requests in flight, as with the bench's 50 connections
async function round(): Promise<{ us: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next++ < N) {
      const s = await one();
      if (s !== 200) throw new Error(`request answered ${s}`);
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  const c = process.cpuUsage(c0);
  return { us: ((performance.now() - t0) * 1000) / N, cpu: (c.user + c.system) / N };
}
await round(); // warm-up: JIT
if (process.argv.includes('--ab-metrics')) {
  const on = { observer: app.observer, metrics: app.metrics };
  if (on.metrics === null) throw new Error('--ab-metrics: metrics are off in this configuration');
  const cpu: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      app.observer = side === 'on' ? on.observer : null;
      app.metrics = side === 'on' ? on.metrics : null;
      cpu[side].push((await round()).cpu);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const diffs = cpu.on.map((x, i) => x - cpu.off[i]);
  console.log(
    `metrics on ${median(cpu.on).toFixed(2)} vs off ${median(cpu.off).toFixed(2)} CPU µs per request (medians of ${ROUNDS} ` +
      `alternated rounds of ${N}); paired difference median ${median(diffs).toFixed(2)} µs ` +
      `(${((median(diffs) / median(cpu.off)) * 100).toFixed(1)} %)`,
  );
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
const results: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const x = await round();
  results.push(x.us);
  console.log(
    `round ${r + 1}: ${x.us.toFixed(2)} µs/request wall, ${x.cpu.toFixed(2)} µs CPU (incl. the ledger thread); ledger backlog ${app.ledger.size}`,
  );
}
results.sort((a, b) => a - b);
console.log(
  `median ${results[Math.floor(results.length / 2)].toFixed(2)} µs per request (${N} requests × ${ROUNDS} rounds, ${WINDOW} in flight)`,
);
{
  const w = (app.store as unknown as { writer?: { broken: boolean; failed: Error | null } }).writer;
  console.log('writer', w ? (w.broken ? `broken: ${w.failed?.message}` : 'ok') : 'none');
}
await app.close();
if (sink) {
  console.log(
    `tracing: ${sink.exports} exports, ${(sink.bytes / ((ROUNDS + 1) * N + 1)).toFixed(0)} bytes per request`,
  );
  await sink.close();
}
rmSync(dataDir, { recursive: true, force: true });
