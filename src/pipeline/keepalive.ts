import { timerList, type TimerEntry, type TimerList } from '../lib/timer-list.js';
import type { AnswerSink } from './sink.js';

/**
 * A keep-alive comment every `everyMs` while a stream waits for its first token (the first one opens the
 * stream), so clients and proxies with idle timeouts keep the connection. A TimerList entry rather than a
 * setInterval per stream: most streams stop it within milliseconds.
 */
export class KeepAlive implements TimerEntry {
  due = 0;
  prev: TimerEntry | null = null;
  next: TimerEntry | null = null;
  private readonly list: TimerList;

  constructor(
    private sink: AnswerSink,
    private headers: Record<string, string>,
    everyMs: number,
  ) {
    this.list = timerList(everyMs);
    this.list.add(this);
  }

  fire(): void {
    this.sink.keepAlive(this.headers);
    this.list.add(this);
  }

  stop(): void {
    this.list.remove(this);
  }
}
