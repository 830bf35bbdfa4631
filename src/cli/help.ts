// Each command's own help, printed by `arouter <command> --help` before the command is loaded: `arouter sim
// --help` used to start the simulators, `arouter serve --help` a server.

const COMMON = `  --config FILE      config file (default: AROUTER_CONFIG, else ./arouter.config.yaml when present)
  --data-dir DIR     data directory (default: AROUTER_DATA_DIR, else the config's data_dir, else ./.arouter)
  -h, --help         this help`;

export const COMMAND_HELP: Record<string, string> = {
  serve: `arouter serve — run the router

Usage: arouter serve [--port N] [--host H] [--data-dir DIR] [--config FILE] [--demo] [--workers N|auto]

  --port N           listen port (default: AROUTER_PORT / PORT, else the config's server.port, else 8787)
  --host H           listen address (default: AROUTER_HOST, else the config's server.host, else 127.0.0.1)
  --demo             wire every provider to built-in simulated upstreams (no provider key needed, no network)
  --workers N        run N processes on the port (0 or auto: one per CPU; default 1). More than one needs
                     shared state: storage.url (PostgreSQL) and redis.url, or AROUTER_DATABASE_URL and
                     AROUTER_REDIS_URL; a worker that dies is restarted, SIGTERM/SIGINT drain them all
${COMMON}

Providers are enabled by their API key variables (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, ...).
SIGHUP (or \`arouter reload\`) re-reads the config file and applies it to new requests; streams in flight finish
on the config they started with.`,
  reload: `arouter reload — a running server re-reads its config file and environment (POST /v1/admin/reload)

Usage: arouter reload [--url URL] [--config FILE] [--data-dir DIR] [--json]

  --url URL          the server's API base (default: http://<server.host>:<server.port>/v1 of the config)
  --json             print the server's answer as it came
${COMMON}

Prints what changed and what needs a restart; a refused config (exit 1) names the field, and the server keeps
serving on its running config. The operator key is AROUTER_ADMIN_KEY, else the one saved in the data dir at the
first start. With --workers N or several instances, send SIGHUP to the primary / each instance instead: the
endpoint reloads the one process that answers.`,
  keys: `arouter keys — manage API keys in the configured storage (the data directory, or PostgreSQL)

Usage:
  arouter keys create --name NAME [--limit USD] [--limit-reset daily|weekly|monthly|never]
                      [--rpm N] [--tpm N] [--expires ISO] [--role user|admin|operator] [--account ID] [--json]
  arouter keys list [--include-revoked] [--json]
  arouter keys revoke KEY_ID

  --name NAME        a label for the key (create)
  --limit USD        spend limit per --limit-reset period (default: none)
  --rpm N, --tpm N   requests / tokens per minute (default: the config's limits)
  --include-revoked  list revoked keys too
  --expires ISO      expiry date-time
  --role ROLE        user (default), admin (manages its account's keys) or operator; --admin = --role admin
  --account ID       the account the key belongs to (default: the default account)
  --json             machine-readable output
${COMMON}`,
  migrate: `arouter migrate — apply the schema migrations of the configured storage, then exit

Usage: arouter migrate [--config FILE] [--data-dir DIR] [--json]

The storage is PostgreSQL when the config's storage.url or AROUTER_DATABASE_URL is set (postgres://…), else the
SQLite file in the data directory. \`arouter serve\` migrates at start too; on PostgreSQL under an advisory lock,
so instances starting together migrate once.
${COMMON}`,
  reconcile: `arouter reconcile — set the Redis spend counters to the ledger's sums, report the differences

Usage: arouter reconcile [--dry-run] [--config FILE] [--data-dir DIR] [--json]

Needs redis.url (or AROUTER_REDIS_URL) and the deployment's storage. For every account and key it compares the
account's spend, the key's lifetime spend and its current daily/weekly/monthly spend in Redis with the ledger,
sets Redis to the ledger's value (compare-and-set: a counter a live request changed meanwhile is skipped, exit 1,
run again) and returns expired reservations of dead processes. Run it after a crash, once the dead instance's
ledger journal was replayed (restart it on its data dir) and the live ones flushed (ledger.flush_interval).
  --dry-run  report only
${COMMON}`,
  models: `arouter models — list the models this configuration serves

Usage: arouter models [--output-modalities text,image|all] [--supported-parameters tools,...] [--all-providers] [--json]

  --output-modalities LIST   comma list of text, image, audio, embeddings, or all (default: text)
  --supported-parameters L   only models supporting every listed parameter
  --all-providers            include models of providers without an API key
  --json                     machine-readable output
${COMMON}`,
  sim: `arouter sim — run the simulated upstreams standalone (what --demo uses)

Usage: arouter sim [--dialect openai|anthropic|gemini] [--port N] [--host H]

  --dialect D        only this dialect (default: all three)
  --port N           first port (the next dialects take the following ports; default: any free port)
  --host H           listen address (default: 127.0.0.1)
  -h, --help         this help`,
};

/** true when the arguments ask for help (before a `--` that ends the options) */
export function wantsHelp(args: string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
