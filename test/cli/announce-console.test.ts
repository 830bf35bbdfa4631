// `arouter serve` names the web console's URL beside the API's (and not when the console is off).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announceListening } from '../../src/cli/serve-start.js';
import { loadConfig } from '../../src/config/load.js';

function printed(env: Record<string, string>): string {
  const config = loadConfig({ inline: {}, env, flags: { demo: true } });
  const lines: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    announceListening(config, 'http://127.0.0.1:8787/v1', 3);
  } finally {
    console.error = original;
  }
  return lines.join('\n');
}

test('the console URL is printed when the console is on, not when it is off', () => {
  assert.match(printed({}), /^Web console: http:\/\/127\.0\.0\.1:8787\/ /m);
  assert.doesNotMatch(printed({ AROUTER_CONSOLE: 'off' }), /Web console/);
});
