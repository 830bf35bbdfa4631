import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config/load.js';

export const commonOptions = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Option = { type: 'string' | 'boolean'; short?: string };

/** strict parsing (unknown flags are errors); values are loosely typed since each command checks its own */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parse(
  args: string[],
  options: Record<string, Option>,
): { values: Record<string, any>; positionals: string[] } {
  return parseArgs({ args, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true });
}

export function configFrom(
  values: Record<string, unknown>,
  extra: { port?: number; host?: string; demo?: boolean } = {},
): Config {
  return loadConfig({
    configPath: values.config as string | undefined,
    flags: { dataDir: values['data-dir'] as string | undefined, ...extra },
  });
}
