// Structured JSON logs, one object per line on stdout. Deliberately tiny: the access log is one line per
// request, and prompt contents are never logged unless the operator turns `log.prompts` on.
// Lines are batched into one write per event-loop turn (a write syscall per request showed in profiles);
// whatever is pending is written synchronously when the process exits.
import { writeSync } from 'node:fs';
import { isoTime } from './clock.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const MAX_PENDING = 256 * 1024;

// One stdout, one buffer: every Logger (tests run several gateways per process) shares it.
let pending = '';
let scheduled = false;
let exitHooked = false;

function flushStdout(): void {
  scheduled = false;
  if (!pending) return;
  const text = pending;
  pending = '';
  process.stdout.write(text);
}

function writeStdout(line: string): void {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => {
      if (!pending) return;
      try {
        writeSync(1, pending);
      } catch {
        // stdout already gone: nothing left to tell
      }
      pending = '';
    });
  }
  pending += line;
  if (pending.length > MAX_PENDING) flushStdout();
  else if (!scheduled) {
    scheduled = true;
    setImmediate(flushStdout);
  }
}

export class Logger {
  private min: number;

  constructor(
    level: LogLevel = 'info',
    private out: (text: string) => void = writeStdout,
  ) {
    this.min = ORDER[level];
  }

  /** a config reload's log.level */
  setLevel(level: LogLevel): void {
    this.min = ORDER[level];
  }

  enabled(level: LogLevel): boolean {
    return ORDER[level] >= this.min;
  }

  log(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < this.min) return;
    this.out(JSON.stringify({ t: isoTime(), level, msg, ...fields }) + '\n');
  }

  /**
   * A line whose extra fields arrive already serialised (`"k":v,…`, no braces): the access log, one line per
   * request, builds its own instead of paying for an object, a spread and a generic JSON.stringify.
   */
  logJson(level: Exclude<LogLevel, 'silent'>, msg: string, fieldsJson: string): void {
    if (ORDER[level] < this.min) return;
    this.out(
      `{"t":"${isoTime()}","level":"${level}","msg":${JSON.stringify(msg)}${fieldsJson ? ',' + fieldsJson : ''}}\n`,
    );
  }

  /** writes buffered lines now (before a deliberate exit) */
  flush(): void {
    flushStdout();
  }

  debug(msg: string, f?: Record<string, unknown>) {
    this.log('debug', msg, f);
  }
  info(msg: string, f?: Record<string, unknown>) {
    this.log('info', msg, f);
  }
  warn(msg: string, f?: Record<string, unknown>) {
    this.log('warn', msg, f);
  }
  error(msg: string, f?: Record<string, unknown>) {
    this.log('error', msg, f);
  }
}
