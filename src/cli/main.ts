#!/usr/bin/env node
// `arouter` command line: serve, keys, models, catalog, sim. See README "CLI".
import { ConfigError } from '../config/load.js';
import { COMMAND_HELP, wantsHelp } from './help.js';

// Each command is imported when it runs: `serve` must not load the simulators (ajv + the providers' compiled
// request schemas, ~10 MB resident) unless --demo asks for them, nor `keys` the HTTP stack.

const HELP = `arouter — self-hostable OpenAI-compatible LLM router

Usage:
  arouter serve [--port N] [--host H] [--data-dir DIR] [--config FILE] [--demo] [--workers N|auto]
  arouter keys create --name NAME [--limit USD] [--limit-reset daily|weekly|monthly|never]
                      [--rpm N] [--tpm N] [--expires ISO] [--role user|admin|operator] [--account ID]
  arouter keys list [--json]
  arouter keys revoke KEY_ID
  arouter migrate                        (apply the configured storage's schema migrations)
  arouter reconcile [--dry-run] [--json] (set Redis spend counters to the ledger's sums, report differences)
  arouter models [--output-modalities text,image|all] [--supported-parameters tools,...] [--all-providers] [--json]
  arouter catalog sync|status [--json]   (sync: ask the configured providers now; status: the last sync)
  arouter reload [--url URL] [--json]    (a running server re-reads its config; as SIGHUP does)
  arouter sim [--dialect openai|anthropic|gemini] [--port N]

Environment: AROUTER_DATA_DIR, AROUTER_DATABASE_URL, AROUTER_REDIS_URL, AROUTER_CONFIG, AROUTER_ADMIN_KEY,
AROUTER_PORT/PORT, AROUTER_HOST, AROUTER_LOG_LEVEL, and each provider's API key variable (OPENAI_API_KEY, ...).

arouter <command> --help shows a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd !== undefined && Object.hasOwn(COMMAND_HELP, cmd) && wantsHelp(rest)) {
    console.log(COMMAND_HELP[cmd]);
    return 0;
  }
  switch (cmd) {
    case 'serve':
      return (await import('./serve.js')).serveCommand(rest);
    case 'keys':
      return (await import('./keys.js')).keysCommand(rest);
    case 'migrate':
      return (await import('./migrate.js')).migrateCommand(rest);
    case 'reconcile':
      return (await import('./reconcile.js')).reconcileCommand(rest);
    case 'models':
      return (await import('./models.js')).modelsCommand(rest);
    case 'catalog':
      return (await import('./catalog.js')).catalogCommand(rest);
    case 'sim':
      return (await import('./sim.js')).simCommand(rest);
    case 'reload':
      return (await import('./reload.js')).reloadCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return cmd === undefined ? 1 : 0;
    default:
      console.error(`arouter: unknown command "${cmd}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (err) => {
    const code = (err as { code?: string })?.code;
    // `--workers -1`: an option given without its value, or a value that reads as an option
    if (
      err instanceof ConfigError ||
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
    ) {
      console.error(`arouter: ${(err as Error).message}`);
      process.exitCode = 2;
      return;
    }
    console.error(err);
    process.exitCode = 1;
  },
);
