#!/usr/bin/env node
// `npm start`, `npm run demo` and `npm run bench` build first; compiling every time cost ~5 s per start (issue 14).
// This compiles only when a source the build reads is newer than the last build's stamp (dist/.build-stamp),
// which a full build writes on success: an up-to-date checkout starts at once. The build is `tsc`, then the web
// console (scripts/build-console.mjs) when the checkout has one.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STAMP = 'dist/.build-stamp';
const INPUTS = [
  'src',
  'bench',
  'console',
  'scripts/build-console.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs; // a deleted file shows only as a newer directory
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
if (built > 0 && INPUTS.every((p) => newest(p) <= built)) process.exit(0);
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
if (existsSync('console')) {
  const web = spawnSync(process.execPath, [fileURLToPath(new URL('./build-console.mjs', import.meta.url))], {
    stdio: 'inherit',
  });
  if (web.status !== 0) process.exit(web.status ?? 1);
}
writeFileSync(STAMP, new Date().toISOString() + '\n');
