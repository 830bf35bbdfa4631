// `npm start` / `npm run demo` compile only when a source is newer than the last build (scripts/build-if-stale.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve('scripts/build-if-stale.mjs');

test('builds when dist is missing or older than a source, and not when it is current', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arouter-stale-'));
  try {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/a.ts'), 'export const a: number = 1;\n');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          outDir: 'dist',
          rootDir: '.',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          skipLibCheck: true,
          types: [],
        },
      }),
    );
    writeFileSync(
      join(dir, 'tsconfig.build.json'),
      JSON.stringify({ extends: './tsconfig.json', include: ['src/**/*.ts'] }),
    );
    symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
    const run = () => spawnSync(process.execPath, [SCRIPT], { cwd: dir, encoding: 'utf8' });
    assert.equal(run().status, 0);
    const stamp = join(dir, 'dist/.build-stamp');
    assert.ok(existsSync(join(dir, 'dist/src/a.js')) && existsSync(stamp), 'a first run builds');
    const old = new Date(Date.now() - 60_000);
    utimesSync(stamp, old, old);
    for (const p of ['src/a.ts', 'src', 'tsconfig.json', 'tsconfig.build.json'])
      utimesSync(join(dir, p), new Date(0), new Date(0));
    assert.equal(run().status, 0);
    // file times round to the file system's precision
    assert.ok(Math.abs(statSync(stamp).mtimeMs - old.getTime()) < 1, 'nothing newer than the stamp: no build');
    writeFileSync(join(dir, 'src/a.ts'), 'export const a: number = 2;\n');
    assert.equal(run().status, 0);
    assert.ok(statSync(stamp).mtimeMs > old.getTime() + 1000, 'a newer source rebuilds');
    writeFileSync(join(dir, 'src/a.ts'), 'export const a: number = "x";\n');
    assert.notEqual(run().status, 0, 'a failed build fails the start');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
