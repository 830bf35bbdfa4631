// `arouter serve --demo` as a child process of its own (for what needs a real process: kill -9, several
// processes on shared backends), resolved once it prints the URL it listens on.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServeProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT/v1 */
  url: string;
  dataDir: string;
  exited: Promise<number | null>;
}

export async function startServeProcess(
  dataDir: string,
  env: Record<string, string>,
  startTimeoutMs = 30_000,
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--demo', '--port', '0', '--data-dir', dataDir],
    { env: { ...process.env, AROUTER_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), startTimeoutMs);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      err += d;
      const m = /ARouter listening on (http:\/\/\S+\/v1)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
  return { child, url, dataDir, exited };
}
