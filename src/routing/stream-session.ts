// One committed-or-not upstream stream, push-based: each network read is SSE-decoded, translated and handed
// on synchronously (no await per read or per event). Until the first content the stream may still fail over
// to another endpoint, so its events are collected in `first` and an error rejects `committed`; after it,
// events go to the sink the HTTP layer attaches with pipe(), and an upstream failure arrives in-band as an
// `error` event. The sink's `false` (client socket full) pauses the upstream until resume().
import type { StreamEvent, StreamTranslator, UpstreamError } from '../providers/types.js';
import { AbortedByClient, SseDecoder, type BodyConsumer, type UpstreamBody } from '../providers/transport.js';
import { isUpstreamError, upstreamError } from '../providers/upstream-error.js';

/** receives the events of one network read, in order; false = the client is full, wait for resume() */
export type EventSink = (evs: StreamEvent[]) => boolean;

const isContent = (e: StreamEvent) => e.type === 'delta' || e.type === 'finish';

export class StreamSession implements BodyConsumer {
  private decoder: SseDecoder;
  /** events up to and including the read that brought the first content */
  readonly first: StreamEvent[] = [];
  private hasDelta = false;
  private isCommitted = false;
  private commit!: { resolve: () => void; reject: (e: UpstreamError | AbortedByClient) => void };
  /** events after commit that arrived before pipe() */
  private pending: StreamEvent[] = [];
  private sink: EventSink | null = null;
  private done: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  /** nothing more will be delivered (end, in-band error, cancel) */
  private finished = false;
  /** why pipe() must reject: the client left, or the sink threw */
  private fault: unknown = null;

  constructor(
    private body: UpstreamBody,
    private translator: StreamTranslator,
    private providerName: string,
  ) {
    this.decoder = new SseDecoder(body.maxEventBytes);
  }

  /** Starts reading; resolves once content arrived, rejects with the failure before it (worth a fallback). */
  start(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => (this.commit = { resolve, reject }));
    this.body.pipe(this);
    return p;
  }

  data(chunk: Buffer): boolean {
    let evs: StreamEvent[];
    try {
      evs = this.translate(this.decoder.feed(chunk));
    } catch (err) {
      this.fail(this.broken(err));
      return false;
    }
    return this.deliver(evs);
  }

  end(): void {
    let evs: StreamEvent[];
    try {
      evs = this.translate(this.decoder.end());
      for (const e of this.translator.end()) evs.push(e);
    } catch (err) {
      this.fail(this.broken(err));
      return;
    }
    this.deliver(evs, true);
  }

  fail(e: UpstreamError | AbortedByClient): void {
    if (this.finished) return;
    if (!this.isCommitted) {
      this.finished = true;
      this.body.cancel(); // see below: only does something when the failure is ours
      this.commit.reject(e);
      return;
    }
    if (e instanceof AbortedByClient) {
      this.finished = true;
      this.fault = e;
      this.done?.reject(e);
      return;
    }
    // after content, a failure is told to the client in-band: the status line is already 200
    this.deliver([{ type: 'error', error: e }], true);
    // when the failure is ours (an event we could not decode) the upstream is still sending: stop it
    // (a no-op when the transport reported the failure: that body is already over)
    this.body.cancel();
  }

  /** Delivers everything after `first` to `sink`; resolves when the stream is over for the client. */
  pipe(sink: EventSink): Promise<void> {
    this.sink = sink;
    return new Promise<void>((resolve, reject) => {
      this.done = { resolve, reject };
      if (this.fault !== null) return reject(this.fault);
      const early = this.pending;
      this.pending = [];
      if (early.length) this.toSink(early);
      if (this.finished && this.fault === null) resolve();
    });
  }

  resume(): void {
    if (!this.finished) this.body.resume();
  }

  /** the client does not want more (or a sink saw an error event): stop reading the upstream */
  cancel(): void {
    if (this.finished) return;
    this.finished = true;
    this.body.cancel();
    this.done?.resolve();
  }

  private translate(sse: ReturnType<SseDecoder['feed']>): StreamEvent[] {
    if (sse.length === 0) return [];
    const out: StreamEvent[] = [];
    for (const ev of sse) for (const e of this.translator.push(ev)) out.push(e);
    return out;
  }

  private broken(err: unknown): UpstreamError {
    if (isUpstreamError(err)) return err;
    const detail = `a stream event ARouter could not read: ${(err as Error)?.message ?? err}`;
    return upstreamError.invalidResponse(this.providerName, detail);
  }

  /** returns false to pause the upstream */
  private deliver(evs: StreamEvent[], last = false): boolean {
    if (this.finished) return false;
    if (!this.isCommitted) {
      for (const ev of evs) {
        if (ev.type === 'error' && !this.hasDelta) {
          this.finished = true;
          this.body.cancel();
          this.commit.reject(ev.error);
          return false;
        }
        if (ev.type === 'delta') this.hasDelta = true;
        this.first.push(ev);
      }
      if (this.first.some(isContent)) {
        this.isCommitted = true;
        if (last) this.finished = true;
        this.commit.resolve();
      } else if (last) {
        this.finished = true;
        this.commit.reject(upstreamError.emptyStream(this.providerName, this.body.status));
      }
      return true;
    }
    if (last) this.finished = true;
    if (this.sink === null) {
      for (const e of evs) this.pending.push(e);
      return true;
    }
    const more = evs.length === 0 ? true : this.toSink(evs);
    if (this.finished) this.done?.resolve();
    return more;
  }

  private toSink(evs: StreamEvent[]): boolean {
    let more: boolean;
    try {
      more = this.sink!(evs);
    } catch (err) {
      this.fault = err;
      this.finished = true;
      this.body.cancel();
      this.done?.reject(err);
      return false;
    }
    if (!this.finished && evs.some((e) => e.type === 'error')) {
      // an in-band error ends the answer; the rest of the upstream body is not wanted
      this.finished = true;
      this.body.cancel();
      this.done?.resolve();
    }
    return more;
  }
}
