// The Client's deadline list (src/client/deadlines.ts): one Node timer for every request's
// timeout. Real timers with margins: what fires, in what order, and what a cancel prevents.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeadlineEntry, Deadlines } from '../src/client/deadlines.js';
import { until } from './support/servers.js';

class Entry extends DeadlineEntry {
  constructor(readonly fn: () => void) {
    super();
  }
  expired(): void {
    this.fn();
  }
}

/** Arms an entry that runs `fn`, and returns it (for cancel). */
function arm(d: Deadlines, fn: () => unknown): Entry {
  const e = new Entry(() => void fn());
  d.arm(e);
  return e;
}

test('deadlines fire in the order armed, after the timeout, and a cancelled one never fires', async () => {
  const d = new Deadlines(40);
  const fired: string[] = [];
  const start = performance.now();
  const times: number[] = [];
  const on = (name: string) => () => {
    fired.push(name);
    times.push(performance.now() - start);
  };
  arm(d, on('a'));
  const b = arm(d, on('b'));
  arm(d, on('c'));
  d.cancel(b);
  await until(() => fired.length === 2, 2000, 'a and c to fire');
  assert.deepEqual(fired, ['a', 'c']);
  for (const t of times) assert.ok(t >= 39, `fired after ${t.toFixed(1)} ms, not before the timeout`);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(fired, ['a', 'c'], 'b never fired');
});

test('cancelling the head leaves the later deadlines armed; cancelling twice is harmless', async () => {
  const d = new Deadlines(30);
  const fired: string[] = [];
  const a = arm(d, () => fired.push('a'));
  await new Promise((r) => setTimeout(r, 10));
  arm(d, () => fired.push('b'));
  d.cancel(a);
  d.cancel(a);
  await until(() => fired.length === 1, 2000, 'b to fire');
  assert.deepEqual(fired, ['b']);
});

test('a deadline armed after all earlier ones expired gets its own full timeout', async () => {
  const d = new Deadlines(25);
  const fired: number[] = [];
  arm(d, () => fired.push(1));
  await until(() => fired.length === 1, 2000, 'the first to fire');
  const armedAt = performance.now();
  let firedAfter = -1;
  arm(d, () => (firedAfter = performance.now() - armedAt));
  await until(() => firedAfter >= 0, 2000, 'the second to fire');
  assert.ok(firedAfter >= 24, `second fired after ${firedAfter.toFixed(1)} ms`);
});
