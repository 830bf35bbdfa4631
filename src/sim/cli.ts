// Runs simulated upstreams as a standalone process (demo mode, manual testing, other processes' tests).
//   node dist/src/sim/cli.js [--openai PORT] [--anthropic PORT] [--gemini PORT] [--host HOST] [--api-key KEY]
// With no dialect flag all three start on random ports. Prints one JSON line {"openai": url, ...} and
// runs until SIGINT/SIGTERM. Script them over HTTP: POST <origin>/__sim/script, POST /__sim/reset,
// GET /__sim/requests (see src/sim/README.md).
import { startSimUpstream, type SimDialect, type SimUpstream } from './index.js';

const DIALECTS: SimDialect[] = ['openai', 'anthropic', 'gemini'];

export async function main(argv: string[]): Promise<SimUpstream[]> {
  const ports: Partial<Record<SimDialect, number>> = {};
  let host = '127.0.0.1';
  let apiKey: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const d = flag.replace(/^--/, '') as SimDialect;
    if (DIALECTS.includes(d)) {
      ports[d] = Number(value ?? 0);
      i++;
    } else if (flag === '--host') {
      host = value;
      i++;
    } else if (flag === '--api-key') {
      apiKey = value;
      i++;
    } else throw new Error(`unknown argument ${flag}`);
  }
  const chosen = DIALECTS.filter((d) => d in ports);
  const sims = await Promise.all(
    (chosen.length ? chosen : DIALECTS).map((d) => startSimUpstream({ dialect: d, port: ports[d] ?? 0, host, apiKey })),
  );
  process.stdout.write(JSON.stringify(Object.fromEntries(sims.map((s) => [s.dialect, s.url]))) + '\n');
  return sims;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then(
    (sims) => {
      const stop = () => void Promise.all(sims.map((s) => s.close())).then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err: unknown) => {
      process.stderr.write(`${String(err instanceof Error ? err.message : err)}\n`);
      process.exit(2);
    },
  );
}
