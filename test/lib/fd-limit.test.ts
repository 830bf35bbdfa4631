import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectionBudget,
  FD_RESERVE,
  LOW_FD_LIMIT,
  lowFdLimitWarning,
  openFilesLimit,
} from '../../src/lib/fd-limit.js';

const limits = (soft: string, hard = '524288') =>
  `Limit                     Soft Limit           Hard Limit           Units     \n` +
  `Max cpu time              unlimited            unlimited            seconds   \n` +
  `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     \n`;

test('the soft open-files limit is read from /proc/self/limits text; unlimited or absent is unknown', () => {
  assert.equal(openFilesLimit(limits('1024')), 1024);
  assert.equal(openFilesLimit(limits('unlimited', 'unlimited')), null);
  assert.equal(openFilesLimit('nothing here'), null);
  // this process: a positive number on Linux, null elsewhere
  const own = openFilesLimit();
  assert.ok(own === null || own > 0);
});

test('client connections get half of what the reserve leaves (each proxied request holds an upstream socket too)', () => {
  assert.equal(connectionBudget(1024), (1024 - FD_RESERVE) / 2);
  assert.equal(connectionBudget(65536), (65536 - FD_RESERVE) / 2);
  assert.equal(connectionBudget(100), 16, 'never below a handful');
  assert.equal(connectionBudget(null), null);
});

test('a low limit is warned about with what to do; a comfortable or unknown one is not', () => {
  const w = lowFdLimitWarning(1024, 448);
  assert.ok(w !== null);
  assert.match(w, /1024/);
  assert.match(w, /448 client connections/);
  assert.match(w, /ulimit -n/);
  assert.match(w, /LimitNOFILE/);
  assert.equal(lowFdLimitWarning(LOW_FD_LIMIT, 4000), null);
  assert.equal(lowFdLimitWarning(null, 0), null);
});
