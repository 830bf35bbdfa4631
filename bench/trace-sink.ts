// `--tracing`: an OTLP/HTTP trace receiver in the bench's own process that reads each export and throws it away,
// so ARouter's tracing cost (span building, the batch processor, the JSON export over HTTP) is measured without a
// collector's CPU landing on the shared cores. It counts what it received for the report line.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TraceSink {
  /** the traces URL for ARouter's `tracing.endpoint` */
  url: string;
  exports: number;
  bytes: number;
  close(): Promise<void>;
}

export async function startTraceSink(host: string): Promise<TraceSink> {
  const sink = { url: '', exports: 0, bytes: 0, close: async () => {} };
  const server = createServer((req, res) => {
    req.on('data', (c: Buffer) => (sink.bytes += c.length));
    req.on('end', () => {
      sink.exports++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  sink.url = `http://${host}:${(server.address() as AddressInfo).port}/v1/traces`;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
