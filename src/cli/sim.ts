// `arouter sim`: run simulated upstreams standalone (for manual testing or pointing another gateway at).
import { startSimUpstream, type SimDialect, type SimUpstream } from '../sim/index.js';
import { parse } from './args.js';

export async function simCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { dialect: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } });
  const dialects = (values.dialect ? [values.dialect] : ['openai', 'anthropic', 'gemini']) as SimDialect[];
  for (const d of dialects) {
    if (!['openai', 'anthropic', 'gemini'].includes(d)) {
      console.error(`arouter: --dialect must be openai, anthropic or gemini (got ${d})`);
      return 2;
    }
  }
  const basePort = values.port ? Number(values.port) : 0;
  const sims: SimUpstream[] = [];
  for (let i = 0; i < dialects.length; i++) {
    const sim = await startSimUpstream({
      dialect: dialects[i],
      host: values.host ?? '127.0.0.1',
      port: basePort ? basePort + i : 0,
    });
    sims.push(sim);
    console.log(
      `${dialects[i]} simulated upstream: ${sim.url}   (script it: POST ${new URL(sim.url).origin}/__sim/script)`,
    );
  }
  const stop = async () => {
    await Promise.all(sims.map((s) => s.close()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  return -1;
}
