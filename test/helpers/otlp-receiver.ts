// An in-process OTLP/HTTP trace receiver for tests: a node:http server taking what @opentelemetry's JSON exporter
// POSTs to /v1/traces (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding), flattened into one
// record per span with its attributes as plain values.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

export type AttrValue = string | number | boolean | AttrValue[];

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's enum: 2 SERVER, 3 CLIENT */
  kind: number;
  /** 0 unset, 1 ok, 2 error */
  status: { code: number; message?: string };
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, AttrValue>;
  events: Array<{ name: string; timeNs: bigint }>;
  resource: Record<string, AttrValue>;
}

export const SPAN_KIND = { SERVER: 2, CLIENT: 3 } as const;

function value(v: AnyValue): AttrValue {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  return '';
}

const attrs = (list: KeyValue[] | undefined): Record<string, AttrValue> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));

export interface OtlpReceiver {
  /** the traces URL, for OTEL_EXPORTER_OTLP_TRACES_ENDPOINT */
  url: string;
  spans: ReceivedSpan[];
  /** headers of each export request */
  exports: IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const exports: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      exports.push(req.headers);
      let raw: Buffer = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const body = JSON.parse(raw.toString('utf8')) as {
        resourceSpans?: Array<{
          resource?: { attributes?: KeyValue[] };
          scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
        }>;
      };
      for (const rs of body.resourceSpans ?? []) {
        const resource = attrs(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: s.traceId as string,
              spanId: s.spanId as string,
              parentSpanId: (s.parentSpanId as string | undefined) ?? '',
              name: s.name as string,
              kind: s.kind as number,
              status: (s.status as { code?: number; message?: string } | undefined)?.code
                ? { code: (s.status as { code: number }).code, message: (s.status as { message?: string }).message }
                : { code: 0 },
              startNs: BigInt(s.startTimeUnixNano as string),
              endNs: BigInt(s.endTimeUnixNano as string),
              attributes: attrs(s.attributes as KeyValue[] | undefined),
              events: ((s.events as Array<{ name: string; timeUnixNano: string }> | undefined) ?? []).map((e) => ({
                name: e.name,
                timeNs: BigInt(e.timeUnixNano),
              })),
              resource,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    exports,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
