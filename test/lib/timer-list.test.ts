import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TimerList, timerList, type TimerEntry } from '../../src/lib/timer-list.js';

class Tick implements TimerEntry {
  due = 0;
  prev: TimerEntry | null = null;
  next: TimerEntry | null = null;
  fired = 0;
  constructor(
    readonly name: string,
    private log: string[],
    private again: TimerList | null = null,
  ) {}
  fire(): void {
    this.fired++;
    this.log.push(this.name);
    this.again?.add(this);
  }
}

test('entries fire once, in the order added, one delay after being added; removed ones never', async () => {
  // lower bounds only: a loaded machine fires timers late, never early
  const list = new TimerList(30);
  const log: string[] = [];
  const added = new Map<string, number>();
  const fired = new Map<string, number>();
  const [a, b, c] = ['a', 'b', 'c'].map((n) => {
    const t = new Tick(n, log);
    const fire = t.fire.bind(t);
    t.fire = () => {
      fired.set(n, performance.now());
      fire();
    };
    return t;
  });
  const add = (t: Tick) => {
    added.set(t.name, performance.now());
    list.add(t);
  };
  add(a);
  add(b);
  await sleep(10);
  add(c);
  list.remove(a);
  list.remove(a); // twice: harmless
  while (log.length < 2) await sleep(5);
  await sleep(40);
  assert.deepEqual(log, ['b', 'c']);
  for (const n of ['b', 'c']) assert.ok(fired.get(n)! - added.get(n)! >= 29, `${n} fired early`);
  list.remove(b); // after firing: harmless
  assert.equal(a.fired, 0);
});

test('an entry that adds itself again from fire() repeats (keep-alive ticks) until removed', async () => {
  const list = new TimerList(15);
  const log: string[] = [];
  const t = new Tick('t', log, list);
  const once = new Tick('once', log);
  const t0 = Date.now();
  list.add(t);
  list.add(once);
  // counts, not wall-clock windows: a loaded machine delays timers, never makes them early
  while (t.fired < 3 && Date.now() - t0 < 5_000) await sleep(5);
  list.remove(t);
  const n = t.fired;
  const elapsed = Date.now() - t0;
  assert.ok(n >= 3, `fired ${n} times`);
  assert.ok(elapsed >= 15 * n - 5, `fired ${n} times in ${elapsed} ms at 15 ms: never early`);
  assert.equal(once.fired, 1);
  await sleep(40);
  assert.equal(t.fired, n, 'no tick after remove');
});

test('the list empties and re-arms: a later entry still fires; one list per delay', async () => {
  assert.equal(timerList(25), timerList(25));
  assert.notEqual(timerList(25), timerList(26));
  const list = new TimerList(10);
  const log: string[] = [];
  list.add(new Tick('first', log));
  await sleep(30);
  list.add(new Tick('second', log));
  await sleep(30);
  assert.deepEqual(log, ['first', 'second']);
});
