// The ledger's write-ahead journal: every generation row is appended, as one JSON line, to a segment file in
// the data dir with a synchronous write before its answer's last bytes leave, so a row still queued for the
// batched SQLite write survives the process being killed (kill -9, the OOM killer). The write lands in the
// OS page cache: it survives the process, not a power loss or kernel crash (no fsync per request; SQLite
// itself runs with synchronous = NORMAL). The ledger rotates to a new segment when it takes a batch and
// deletes the old one once that batch is committed, so the journal only ever holds the last few batches;
// start-up replays whatever segments are left (src/accounting/ledger.ts recover()).
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { paramsFromLine } from './generation-params.js';

const SUFFIX = '.jsonl';

export interface JournalContents {
  /** the segment files read (delete them once their rows are stored) */
  files: string[];
  /** every whole line's row parameters, in file order */
  rows: unknown[][];
  /** lines that were not whole rows (a write cut by the crash), skipped */
  torn: number;
}

/**
 * Whether the process that wrote a segment still runs on this host. Workers of `arouter serve --workers N` share
 * one data dir: a worker restarted after a crash must replay the dead one's segments, not the live segments its
 * siblings are still appending to (their rows are not committed yet; replaying them would store the rows first
 * and fail the owner's own batch). A pid reused by another process only defers that segment to a later start.
 * Our own pid is never alive here: this runs before our first append, so a segment bearing it is an earlier
 * run's (a container's entrypoint is pid 1 at every start).
 */
function writerAlive(name: string): boolean {
  const pid = Number(name.split('-')[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class LedgerJournal {
  private fd: number | null = null;
  private current: string | null = null;
  private seq = 0;
  /** names are unique per process start, so a segment left by an earlier run is never appended to */
  private readonly stamp = Date.now().toString(36) + '-' + process.pid;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Appends one line: one write(2) to the page cache, 3-6 µs for a 1 KB row on the bench VM (ext4), the bulk
   *  of the journal's cost. Throws when the file system refuses it. */
  append(line: string): void {
    if (this.fd === null) {
      this.current = join(this.dir, `${this.stamp}-${++this.seq}${SUFFIX}`);
      this.fd = openSync(this.current, 'a');
    }
    try {
      // a string write skips a Buffer allocation; a regular file takes it whole unless the disk is full
      const n = writeSync(this.fd, line);
      const size = Buffer.byteLength(line);
      if (n < size) {
        const buf = Buffer.from(line);
        for (let done = n; done < size;) done += writeSync(this.fd, buf, done, size - done);
      }
    } catch (err) {
      // a cut line must not have the next row glued to it: later rows go to a fresh segment
      this.rotate();
      throw err;
    }
  }

  /** Closes the current segment and returns its path (null when nothing was written since the last rotation);
   *  the next append starts a new one. */
  rotate(): string | null {
    const file = this.current;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.current = null;
    return file;
  }

  /** Deletes segments whose rows are committed. */
  discard(files: string[]): void {
    for (const f of files) {
      try {
        unlinkSync(f);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  /** Every segment in the directory but those of a live process (call before the first append: the current
   *  segment would be read too). */
  readAll(): JournalContents {
    const files = readdirSync(this.dir)
      .filter((f) => f.endsWith(SUFFIX) && !writerAlive(f))
      .sort()
      .map((f) => join(this.dir, f));
    const rows: unknown[][] = [];
    let torn = 0;
    for (const f of files) {
      for (const line of readFileSync(f, 'utf8').split('\n')) {
        if (line === '') continue;
        const p = paramsFromLine(line);
        if (p) rows.push(p);
        else torn++;
      }
    }
    return { files, rows, torn };
  }
}
