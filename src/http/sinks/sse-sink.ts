// What every streaming answer shares, whatever its API's wire format: the SSE status line and headers (through
// SseWriter), the keep-alive comment, corked batches, and backpressure on the client's socket.
import type { ServerResponse } from 'node:http';
import { SseWriter } from '../chat-output.js';

export abstract class SseSink {
  protected readonly sse: SseWriter;

  constructor(
    protected readonly res: ServerResponse,
    readonly stream: boolean,
  ) {
    this.sse = new SseWriter(res);
  }

  get opened(): boolean {
    return this.sse.opened;
  }

  keepAlive(headers: Record<string, string>): void {
    this.sse.open(headers);
    this.sse.comment('ARouter PROCESSING');
  }

  batch(fn: () => void): void {
    this.sse.batch(fn);
  }

  get needsDrain(): boolean {
    return this.res.writableNeedDrain;
  }

  onDrain(resume: () => void): () => void {
    this.res.on('drain', resume);
    return () => this.res.removeListener('drain', resume);
  }
}
