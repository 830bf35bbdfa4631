// Structured JSON logs, one object per line on stdout. Deliberately tiny: the access log is one write per
// request, and prompt contents are never logged unless the operator turns `log.prompts` on.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export class Logger {
  private min: number;
  constructor(
    level: LogLevel = 'info',
    private out: (line: string) => void = (l) => process.stdout.write(l),
  ) {
    this.min = ORDER[level];
  }
  enabled(level: LogLevel): boolean {
    return ORDER[level] >= this.min;
  }
  log(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < this.min) return;
    this.out(JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }) + '\n');
  }
  debug(msg: string, f?: Record<string, unknown>) { this.log('debug', msg, f); }
  info(msg: string, f?: Record<string, unknown>) { this.log('info', msg, f); }
  warn(msg: string, f?: Record<string, unknown>) { this.log('warn', msg, f); }
  error(msg: string, f?: Record<string, unknown>) { this.log('error', msg, f); }
}
