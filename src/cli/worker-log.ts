// A worker's log output. Every worker writes to the stdout it inherited from the primary, usually one pipe
// (a container runtime's, systemd's): Linux keeps a write to a pipe whole only up to PIPE_BUF (4,096 bytes), so
// the shared logger's batches (up to 256 KB per write) from two workers could interleave mid-line. Here batches
// are cut at line ends into writes of at most PIPE_BUF, and each line names the worker that wrote it.
import { writeSync } from 'node:fs';

const PIPE_BUF = 4096;
const NEWLINE = 10;
/** as the shared logger: a turn that logs more than this writes at once instead of holding it all */
const MAX_PENDING = 256 * 1024;

export function workerLogOut(pid: number, out: (chunk: Buffer) => void = (b) => process.stdout.write(b)) {
  const tail = `,"worker_pid":${pid}}\n`;
  let pending = '';
  let scheduled = false;

  const flush = (write: (chunk: Buffer) => void) => {
    scheduled = false;
    if (!pending) return;
    const buf = Buffer.from(pending);
    pending = '';
    for (let start = 0; start < buf.length;) {
      let end = start + PIPE_BUF >= buf.length ? buf.length : buf.lastIndexOf(NEWLINE, start + PIPE_BUF - 1) + 1;
      // one line longer than PIPE_BUF goes whole: it may interleave, but is never cut by us
      if (end <= start) end = buf.indexOf(NEWLINE, start) + 1 || buf.length;
      write(buf.subarray(start, end));
      start = end;
    }
  };

  process.once('exit', () =>
    flush((b) => {
      try {
        writeSync(1, b);
      } catch {
        // stdout already gone: nothing left to tell
      }
    }),
  );

  return (line: string): void => {
    pending += line.endsWith('}\n') ? line.slice(0, -2) + tail : line;
    if (pending.length > MAX_PENDING) flush(out);
    else if (!scheduled) {
      scheduled = true;
      setImmediate(() => flush(out));
    }
  };
}
