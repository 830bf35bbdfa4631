#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm start`).
// The shebang's environment and node flags are src/cli/node-flags.ts's (env -S splits them; coreutils ≥ 8.30).
import('../dist/src/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('arouter: dist/ is missing; run `npm run build` first.');
    process.exit(1);
  }
  throw err;
});
