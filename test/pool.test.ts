// The pool (src/transport/pool.ts) with fakes: connections that are plain objects, a dialer
// whose dials are settled by hand, a clock that is a variable, and a scheduler whose timers
// run when the test says so. Go's Transport bookkeeping rules, one behaviour per test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pool, type Acquired, type Poolable, type PoolLimits } from '../src/transport/pool.js';
import { ConnectError, HttpoolError, TimeoutError } from '../src/errors.js';
import { Cancel, fromSignal } from '../src/cancel.js';
import type { CloseReason, HostStats } from '../src/stats.js';

const A = 'http://a.test:80';
const B = 'http://b.test:80';
const C = 'http://c.test:80';

const LIMITS: PoolLimits = {
  maxIdleConns: 100,
  maxIdleConnsPerHost: 100,
  maxConnsPerHost: 0,
  maxHostStats: 1000,
  idleConnTimeout: 90_000,
  disableKeepAlives: false,
  idleSafetyMargin: 1_000,
};

class FakeConn implements Poolable {
  poolState: 'active' | 'idle' | 'closed' = 'active';
  idleSince = 0;
  idleDeadline = Infinity;
  idleDeadlineReason: CloseReason = 'idle-timeout';
  keepAliveTimeoutMs = -1;
  uses = 0;
  /** The peer is still there (false: the server sent FIN). */
  alive = true;
  /** Every close() call, in order; only the first reaches the pool, as with the real Conn. */
  readonly closeCalls: CloseReason[] = [];
  /** setIdle(true/false) calls, in order. */
  readonly idleCalls: boolean[] = [];

  constructor(
    readonly id: number,
    readonly key: string,
    readonly pool: Pool<FakeConn>,
  ) {}

  get closeReason(): CloseReason | null {
    return this.closeCalls[0] ?? null;
  }

  isOpen(): boolean {
    return this.alive && this.closeCalls.length === 0;
  }

  close(reason: CloseReason): void {
    this.closeCalls.push(reason);
    if (this.closeCalls.length === 1) this.pool.closed(this, reason);
  }

  setIdle(idle: boolean): void {
    this.idleCalls.push(idle);
  }

  // HTTP/2-style sharing: set `multiplexed` and `maxStreams` in a dial's tweak.
  multiplexed = false;
  streams = 0;
  maxStreams = 0;

  hasCapacity(): boolean {
    return this.isOpen() && this.streams < this.maxStreams;
  }

  reserveStream(): void {
    this.streams++;
    this.uses++;
  }

  /** A stream finished: the session tells the pool it has room again. */
  endStream(): void {
    this.streams--;
    this.pool.release(this);
  }
}

interface PendingDial {
  key: string;
  settled: boolean;
  /** Lands the dial with a new connection (returned), then lets the pool react. */
  land(tweak?: (c: FakeConn) => void): Promise<FakeConn>;
  /** Fails the dial with `err`, then lets the pool react. */
  fail(err: Error): Promise<void>;
}

interface Timer {
  delay: number;
  at: number;
  fn: () => void;
  cancelled: boolean;
  ran: boolean;
}

/** Lets every pending promise reaction run (dials landing, waiters settling). */
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function harness(limits: Partial<PoolLimits> = {}) {
  const clock = { now: 10_000 };
  const dials: PendingDial[] = [];
  const timers: Timer[] = [];
  const conns: FakeConn[] = [];
  let nextId = 1;
  const pool: Pool<FakeConn> = new Pool<FakeConn>(
    { ...LIMITS, ...limits },
    (key) =>
      new Promise<FakeConn>((resolve, reject) => {
        const d: PendingDial = {
          key,
          settled: false,
          async land(tweak) {
            assert.equal(d.settled, false, 'dial settled twice by the test');
            d.settled = true;
            const c = new FakeConn(nextId++, key, pool);
            tweak?.(c);
            conns.push(c);
            resolve(c);
            await flush();
            return c;
          },
          async fail(err) {
            assert.equal(d.settled, false, 'dial settled twice by the test');
            d.settled = true;
            reject(err);
            await flush();
          },
        };
        dials.push(d);
      }),
    () => clock.now,
    (delay, fn) => {
      const t: Timer = { delay, at: clock.now + delay, fn, cancelled: false, ran: false };
      timers.push(t);
      return {
        cancel() {
          t.cancelled = true;
        },
      };
    },
  );

  /** Live (not cancelled, not run) timers. */
  const liveTimers = (): Timer[] => timers.filter((t) => !t.cancelled && !t.ran);
  /** Runs every live timer that is due at the current clock. */
  const runDueTimers = (): number => {
    let n = 0;
    for (const t of liveTimers()) {
      if (t.at <= clock.now) {
        t.ran = true;
        t.fn();
        n++;
      }
    }
    return n;
  };

  /** Tracks how a waiter's promise settles (and that it settles only once: a promise can't do more). */
  function track(p: Promise<Acquired<FakeConn>> | Acquired<FakeConn>) {
    const state: { value: Acquired<FakeConn> | null; error: unknown; settled: boolean } = { value: null, error: null, settled: false };
    Promise.resolve(p).then(
      (v) => {
        state.value = v;
        state.settled = true;
      },
      (e: unknown) => {
        state.error = e;
        state.settled = true;
      },
    );
    return state;
  }

  /** Acquires a brand-new connection for `key` by dialing it (no idle one must exist). */
  async function fresh(key: string): Promise<FakeConn> {
    const before = dials.length;
    const p = pool.acquire(key);
    assert.ok(p instanceof Promise, 'acquire with no idle connection waits');
    assert.equal(dials.length, before + 1, 'acquire started a dial');
    const conn = await dials[before]!.land();
    const got = await p;
    assert.equal(got.conn, conn);
    assert.equal(got.reused, false);
    assert.equal(got.wasIdle, false);
    return conn;
  }

  /** A connection that is idle in the pool for `key`. */
  async function idle(key: string): Promise<FakeConn> {
    const c = await fresh(key);
    assert.equal(pool.release(c), null);
    assert.equal(c.poolState, 'idle');
    return c;
  }

  const stats = (key: string): HostStats => {
    const s = pool.snapshot()[key];
    assert.ok(s !== undefined, `no stats for ${key}`);
    return s;
  };

  /** The live counts for a key, for one-line assertions. */
  const counts = (key: string) => {
    const s = stats(key);
    return { active: s.active, idle: s.idle, dialing: s.dialing, waiting: s.waiting };
  };

  return { pool, clock, dials, timers, conns, liveTimers, runDueTimers, track, fresh, idle, stats, counts };
}

function isCode(code: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof HttpoolError, `expected an HttpoolError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Idle lists

test('a released connection is reused for its key: reused/wasIdle/idleTime, setIdle toggled, counts right', async () => {
  const h = harness();
  const c = await h.fresh(A);
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 0, waiting: 0 });
  assert.equal(h.stats(A).opened, 1);

  assert.equal(h.pool.release(c), null);
  assert.equal(c.idleSince, 10_000);
  assert.deepEqual(c.idleCalls, [true]);
  assert.deepEqual(h.counts(A), { active: 0, idle: 1, dialing: 0, waiting: 0 });

  h.clock.now += 1_234;
  const got = h.pool.acquire(A);
  assert.ok(!(got instanceof Promise), 'an idle connection is handed out without waiting');
  assert.equal(got.conn, c);
  assert.equal(got.reused, true);
  assert.equal(got.wasIdle, true);
  assert.equal(got.idleTime, 1_234);
  assert.equal(c.poolState, 'active');
  assert.deepEqual(c.idleCalls, [true, false]);
  assert.equal(h.dials.length, 1, 'no new dial');
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 0, waiting: 0 });
  assert.equal(h.stats(A).opened, 1);
  assert.deepEqual(h.stats(A).closed, {});
});

test('idle lists are per key: an idle connection for one host never serves another', async () => {
  const h = harness();
  const a = await h.idle(A);
  const p = h.pool.acquire(B);
  assert.ok(p instanceof Promise);
  assert.equal(h.dials.length, 2, 'B dials although A has an idle connection');
  assert.equal(h.dials[1]!.key, B);
  const b = await h.dials[1]!.land();
  assert.equal((await p).conn, b);
  assert.equal(a.poolState, 'idle');
  assert.deepEqual(h.counts(A), { active: 0, idle: 1, dialing: 0, waiting: 0 });
  assert.deepEqual(h.counts(B), { active: 1, idle: 0, dialing: 0, waiting: 0 });
});

test('most recently used first: the freshest idle connection is handed out first', async () => {
  const h = harness();
  const p1 = h.pool.acquire(A);
  const p2 = h.pool.acquire(A);
  const p3 = h.pool.acquire(A);
  const c1 = await h.dials[0]!.land();
  const c2 = await h.dials[1]!.land();
  const c3 = await h.dials[2]!.land();
  assert.deepEqual([(await p1).conn, (await p2).conn, (await p3).conn], [c1, c2, c3]);

  h.pool.release(c2);
  h.clock.now += 10;
  h.pool.release(c1);
  h.clock.now += 10;
  h.pool.release(c3);
  assert.deepEqual(h.pool.idleOf(A), [c2, c1, c3], 'freshest last');

  const order: FakeConn[] = [];
  for (let i = 0; i < 3; i++) {
    const got = h.pool.acquire(A);
    assert.ok(!(got instanceof Promise));
    order.push(got.conn);
  }
  assert.deepEqual(order, [c3, c1, c2], 'MRU: last released, first reused');
  assert.equal(h.dials.length, 3);
});

test('maxIdleConnsPerHost: a release beyond it closes the connection as idle-pool-full', async () => {
  const h = harness({ maxIdleConnsPerHost: 2 });
  const ps = [h.pool.acquire(A), h.pool.acquire(A), h.pool.acquire(A)];
  const cs: FakeConn[] = [];
  for (const d of h.dials) cs.push(await d.land());
  for (const p of ps) await p;
  assert.equal(h.pool.release(cs[0]!), null);
  assert.equal(h.pool.release(cs[1]!), null);
  assert.equal(h.pool.release(cs[2]!), 'idle-pool-full');
  assert.deepEqual(cs[2]!.closeCalls, ['idle-pool-full']);
  assert.equal(cs[2]!.poolState, 'closed');
  assert.deepEqual(h.counts(A), { active: 0, idle: 2, dialing: 0, waiting: 0 });
  assert.deepEqual(h.stats(A).closed, { 'idle-pool-full': 1 });
  assert.deepEqual(h.pool.idleOf(A), [cs[0], cs[1]]);
  // Another host has its own two slots.
  const b1 = await h.fresh(B);
  const b2 = await h.fresh(B);
  assert.equal(h.pool.release(b1), null);
  assert.equal(h.pool.release(b2), null);
  assert.equal(h.counts(B).idle, 2);
  assert.deepEqual(h.stats(B).closed, {});
});

test('maxIdleConns across hosts evicts the least recently used idle connection', async () => {
  const h = harness({ maxIdleConns: 2 });
  const a = await h.fresh(A);
  const b = await h.fresh(B);
  const c = await h.fresh(C);
  h.pool.release(a);
  h.clock.now += 1;
  h.pool.release(b);
  h.clock.now += 1;
  assert.equal(h.pool.release(c), null, 'the released connection itself is kept');
  assert.deepEqual(a.closeCalls, ['idle-pool-full'], 'A was the least recently used');
  assert.equal(b.poolState, 'idle');
  assert.equal(c.poolState, 'idle');
  assert.deepEqual(h.stats(A).closed, { 'idle-pool-full': 1 });
  assert.equal(h.counts(A).idle, 0);

  // Use B again: it becomes the most recently used, so C is now the oldest.
  const got = h.pool.acquire(B);
  assert.ok(!(got instanceof Promise));
  assert.equal(got.conn, b);
  h.clock.now += 1;
  h.pool.release(b);
  const a2 = await h.fresh(A);
  h.clock.now += 1;
  h.pool.release(a2);
  assert.deepEqual(c.closeCalls, ['idle-pool-full'], 'LRU by use, not by creation: C goes, not B');
  assert.equal(b.poolState, 'idle');
  assert.equal(a2.poolState, 'idle');
  const total = Object.values(h.pool.snapshot()).reduce((n, s) => n + s.idle, 0);
  assert.equal(total, 2);
});

// ---------------------------------------------------------------------------------------------
// maxConnsPerHost and waiters

test('maxConnsPerHost counts dialing + active: extra requests wait without dialing, FIFO, and a close lets the next dial', async () => {
  const h = harness({ maxConnsPerHost: 2 });
  const w1 = h.track(h.pool.acquire(A));
  const w2 = h.track(h.pool.acquire(A));
  const w3 = h.track(h.pool.acquire(A));
  const w4 = h.track(h.pool.acquire(A));
  assert.equal(h.dials.length, 2, 'two dials, the other two wait');
  assert.deepEqual(h.counts(A), { active: 0, idle: 0, dialing: 2, waiting: 4 });

  const c1 = await h.dials[0]!.land();
  const c2 = await h.dials[1]!.land();
  assert.equal(w1.value?.conn, c1);
  assert.equal(w2.value?.conn, c2);
  assert.equal(w3.settled, false);
  assert.equal(h.dials.length, 2, 'active connections still count against the cap');
  assert.deepEqual(h.counts(A), { active: 2, idle: 0, dialing: 0, waiting: 2 });

  c1.close('read-error');
  assert.equal(h.dials.length, 3, 'a closed connection frees a slot: the next waiter dials');
  assert.equal(w4.settled, false);
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 1, waiting: 2 });
  const c3 = await h.dials[2]!.land();
  assert.equal(w3.value?.conn, c3, 'first queued, first served');
  assert.equal(w4.settled, false);

  c2.close('read-error');
  assert.equal(h.dials.length, 4);
  const c4 = await h.dials[3]!.land();
  assert.equal(w4.value?.conn, c4);
  assert.deepEqual(h.counts(A), { active: 2, idle: 0, dialing: 0, waiting: 0 });
  assert.equal(h.stats(A).opened, 4);
  assert.deepEqual(h.stats(A).closed, { 'read-error': 2 });
});

test('maxConnsPerHost: a released connection goes to the first waiter, in order', async () => {
  const h = harness({ maxConnsPerHost: 1 });
  const c = await h.fresh(A);
  const w2 = h.track(h.pool.acquire(A));
  const w3 = h.track(h.pool.acquire(A));
  assert.equal(h.dials.length, 1);
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 0, waiting: 2 });

  assert.equal(h.pool.release(c), null);
  await flush();
  assert.equal(w2.value?.conn, c);
  assert.equal(w2.value?.reused, true, 'handed over by another request: a reuse');
  assert.equal(w2.value?.wasIdle, false);
  assert.equal(w3.settled, false);
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 0, waiting: 1 });

  h.pool.release(c);
  await flush();
  assert.equal(w3.value?.conn, c);
  assert.equal(h.dials.length, 1, 'never more than one connection');
  h.pool.release(c);
  assert.deepEqual(h.counts(A), { active: 0, idle: 1, dialing: 0, waiting: 0 });
});

test('maxConnsPerHost: an idle connection counts too; a dead idle one is retired and frees its slot', async () => {
  const h = harness({ maxConnsPerHost: 1 });
  const c = await h.idle(A);
  c.alive = false;
  const p = h.pool.acquire(A);
  assert.ok(p instanceof Promise);
  assert.deepEqual(c.closeCalls, ['server-closed']);
  assert.equal(h.dials.length, 2, 'the dead connection no longer counts: a dial starts');
  const c2 = await h.dials[1]!.land();
  assert.equal((await p).conn, c2);
});

test('late binding: a connection released while a dial is in flight serves the waiter; the dial goes idle, not lost, not delivered twice', async () => {
  const h = harness();
  const c1 = await h.fresh(A);
  const w = h.track(h.pool.acquire(A));
  assert.equal(h.dials.length, 2);
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 1, waiting: 1 });

  h.pool.release(c1);
  await flush();
  assert.equal(w.value?.conn, c1, 'the freed connection wins the race');
  assert.equal(w.value?.reused, true);
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 1, waiting: 0 });

  const c2 = await h.dials[1]!.land();
  assert.equal(w.value?.conn, c1, 'the waiter is not settled again');
  assert.equal(c2.poolState, 'idle', 'the dialed connection is parked');
  assert.deepEqual(c2.closeCalls, []);
  assert.deepEqual(h.pool.idleOf(A), [c2]);
  assert.deepEqual(h.counts(A), { active: 1, idle: 1, dialing: 0, waiting: 0 });
  assert.equal(h.stats(A).opened, 2);

  const next = h.pool.acquire(A);
  assert.ok(!(next instanceof Promise));
  assert.equal(next.conn, c2);
});

test('late binding under maxConnsPerHost: the landing dial serves the next queued waiter', async () => {
  const h = harness({ maxConnsPerHost: 2 });
  const c1 = await h.fresh(A);
  const w2 = h.track(h.pool.acquire(A)); // dials (2 of 2)
  const w3 = h.track(h.pool.acquire(A)); // queued
  assert.equal(h.dials.length, 2);
  h.pool.release(c1);
  await flush();
  assert.equal(w2.value?.conn, c1);
  assert.equal(w3.settled, false);
  const c2 = await h.dials[1]!.land();
  assert.equal(w3.value?.conn, c2, 'the dial started for w2 serves w3');
  assert.equal(h.dials.length, 2, 'no third dial');
  assert.deepEqual(h.counts(A), { active: 2, idle: 0, dialing: 0, waiting: 0 });
});

test('abort while waiting: ERR_ABORTED, once; the dial continues and its connection goes idle', async () => {
  const h = harness();
  const ac = new AbortController();
  const p = h.pool.acquire(A, fromSignal(ac.signal)); // a caller's AbortSignal, bridged as the Client does
  assert.ok(p instanceof Promise);
  const w = h.track(p);
  assert.deepEqual(h.counts(A), { active: 0, idle: 0, dialing: 1, waiting: 1 });
  ac.abort();
  await assert.rejects(p, isCode('ERR_ABORTED'));
  assert.deepEqual(h.counts(A), { active: 0, idle: 0, dialing: 1, waiting: 0 });

  const c = await h.dials[0]!.land();
  assert.equal(w.value, null, 'the aborted waiter never gets the connection');
  assert.equal(c.poolState, 'idle');
  assert.deepEqual(h.counts(A), { active: 0, idle: 1, dialing: 0, waiting: 0 });
  assert.deepEqual(h.stats(A).closed, {});
});

test('abort of a queued waiter (maxConnsPerHost): it never dials, and the next waiter takes its place', async () => {
  const h = harness({ maxConnsPerHost: 1 });
  const c = await h.fresh(A);
  const ac = new AbortController();
  const p2 = h.pool.acquire(A, fromSignal(ac.signal));
  const w3 = h.track(h.pool.acquire(A));
  ac.abort();
  await assert.rejects(async () => p2, isCode('ERR_ABORTED'));
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 0, waiting: 1 });
  c.close('read-error');
  assert.equal(h.dials.length, 2, 'exactly one dial for the remaining waiter');
  const c3 = await h.dials[1]!.land();
  assert.equal(w3.value?.conn, c3);
});

test('a signal already aborted fails the acquire with ERR_ABORTED and starts no dial', async () => {
  const h = harness();
  await assert.rejects(async () => h.pool.acquire(A, fromSignal(AbortSignal.abort())), isCode('ERR_ABORTED'));
  assert.equal(h.dials.length, 0, 'no connection is opened for a request that already gave up');
});

test('a cancellation with a reason (the client timeout) fails the waiter with that very error', async () => {
  const h = harness();
  const cancel = new Cancel();
  const p = h.pool.acquire(A, cancel);
  const reason = new TimeoutError('ERR_TIMEOUT', 'client timeout');
  cancel.abort(reason);
  await assert.rejects(async () => p, (e: unknown) => e === reason);
  assert.equal(h.counts(A).waiting, 0);
  const c = await h.dials[0]!.land();
  assert.equal(c.poolState, 'idle');
  // A settled waiter no longer listens: a later abort of the same token is harmless.
  const cancel2 = new Cancel();
  const got = h.pool.acquire(A, cancel2);
  assert.ok(!(got instanceof Promise));
  cancel2.abort(reason);
  assert.equal(got.conn.poolState, 'active');
});

test('a dial error reaches the waiter; counts recover; a queued waiter then dials', async () => {
  const h = harness({ maxConnsPerHost: 1 });
  const w1 = h.track(h.pool.acquire(A));
  const w2 = h.track(h.pool.acquire(A));
  assert.equal(h.dials.length, 1);
  const err = new ConnectError('ERR_CONNECT', 'refused');
  await h.dials[0]!.fail(err);
  assert.equal(w1.settled, true);
  assert.equal(w1.error, err, 'the dial error itself reaches the waiter');
  assert.equal(w1.value, null);
  assert.equal(w2.settled, false, 'the other waiter is not failed by someone else\'s dial');
  assert.equal(h.dials.length, 2, 'the freed slot goes to the queued waiter');
  assert.deepEqual(h.counts(A), { active: 0, idle: 0, dialing: 1, waiting: 1 });
  assert.equal(h.stats(A).opened, 0);
  const c = await h.dials[1]!.land();
  assert.equal(w2.value?.conn, c);
  assert.equal(h.stats(A).opened, 1);
});

// ---------------------------------------------------------------------------------------------
// Idle deadlines

test('idle timeout: sweep(now) closes connections past idleConnTimeout and returns the next deadline', async () => {
  const h = harness({ idleConnTimeout: 1_000 });
  const c1 = await h.fresh(A);
  const c2 = await h.fresh(B);
  h.pool.release(c1); // at 10_000 → 11_000
  assert.equal(c1.idleDeadline, 11_000);
  assert.equal(c1.idleDeadlineReason, 'idle-timeout');
  h.clock.now = 10_500;
  h.pool.release(c2); // → 11_500

  assert.equal(h.pool.sweep(10_999), 11_000, 'nothing due yet; the next deadline');
  assert.equal(c1.poolState, 'idle');
  assert.equal(h.pool.sweep(11_000), 11_500);
  assert.deepEqual(c1.closeCalls, ['idle-timeout']);
  assert.equal(c2.poolState, 'idle');
  assert.equal(h.pool.sweep(11_500), Infinity);
  assert.deepEqual(c2.closeCalls, ['idle-timeout']);
  assert.deepEqual(h.stats(A).closed, { 'idle-timeout': 1 });
  assert.deepEqual(h.counts(A), { active: 0, idle: 0, dialing: 0, waiting: 0 });
});

test('idle timeout: the pool schedules its own sweep at the earliest deadline and re-arms for the next', async () => {
  const h = harness({ idleConnTimeout: 1_000 });
  const c1 = await h.fresh(A);
  const c2 = await h.fresh(A);
  h.pool.release(c1); // deadline 11_000
  const armed = h.liveTimers();
  assert.equal(armed.length, 1);
  assert.equal(armed[0]!.delay, 1_000);
  h.clock.now = 10_400;
  h.pool.release(c2); // deadline 11_400: later, the timer stays
  assert.equal(h.liveTimers().length, 1);

  h.clock.now = 11_000;
  assert.equal(h.runDueTimers(), 1);
  assert.deepEqual(c1.closeCalls, ['idle-timeout']);
  assert.equal(c2.poolState, 'idle');
  const next = h.liveTimers();
  assert.equal(next.length, 1, 're-armed for the remaining connection');
  assert.equal(next[0]!.at, 11_400);

  h.clock.now = 11_400;
  h.runDueTimers();
  assert.deepEqual(c2.closeCalls, ['idle-timeout']);
  assert.equal(h.liveTimers().length, 0, 'nothing idle, nothing armed');
});

test('idle timeout: an acquire never hands out a connection past its deadline, even before the sweep', async () => {
  const h = harness({ idleConnTimeout: 1_000 });
  const c = await h.idle(A);
  h.clock.now += 1_000;
  const p = h.pool.acquire(A);
  assert.ok(p instanceof Promise, 'the expired connection is not handed out');
  assert.deepEqual(c.closeCalls, ['idle-timeout']);
  const c2 = await h.dials[1]!.land();
  assert.equal((await p).conn, c2);
});

test('idleConnTimeout 0: idle connections stay until the server closes them; no timer', async () => {
  const h = harness({ idleConnTimeout: 0 });
  const c = await h.idle(A);
  assert.equal(c.idleDeadline, Infinity);
  assert.equal(h.liveTimers().length, 0);
  assert.equal(h.pool.sweep(1e12), Infinity);
  assert.equal(c.poolState, 'idle');
});

test('a connection whose isOpen() is false is skipped by acquire and closed as server-closed', async () => {
  const h = harness();
  const p1 = h.pool.acquire(A);
  const p2 = h.pool.acquire(A);
  const older = await h.dials[0]!.land();
  const newer = await h.dials[1]!.land();
  await p1;
  await p2;
  h.pool.release(older);
  h.clock.now += 5;
  h.pool.release(newer);
  newer.alive = false; // the server's FIN arrived
  const got = h.pool.acquire(A);
  assert.ok(!(got instanceof Promise));
  assert.equal(got.conn, older, 'the dead freshest one is skipped');
  assert.deepEqual(newer.closeCalls, ['server-closed']);
  assert.deepEqual(h.stats(A).closed, { 'server-closed': 1 });
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 0, waiting: 0 });
});

test('sweep also retires idle connections the server has closed', async () => {
  const h = harness();
  const c = await h.idle(A);
  c.alive = false;
  h.pool.sweep(h.clock.now);
  assert.deepEqual(c.closeCalls, ['server-closed']);
  assert.equal(h.counts(A).idle, 0);
});

test('release of a connection the peer already closed closes it as server-closed instead of parking it', async () => {
  const h = harness();
  const c = await h.fresh(A);
  c.alive = false;
  assert.equal(h.pool.release(c), 'server-closed');
  assert.deepEqual(c.closeCalls, ['server-closed']);
  assert.deepEqual(h.counts(A), { active: 0, idle: 0, dialing: 0, waiting: 0 });
});

test('Keep-Alive timeout: an earlier deadline with reason server-idle-limit, less the safety margin', async () => {
  const h = harness({ idleConnTimeout: 90_000, idleSafetyMargin: 1_000 });
  // Short limit: the margin is a tenth of it.
  const short = await h.fresh(A);
  short.keepAliveTimeoutMs = 5_000;
  h.pool.release(short);
  assert.equal(short.idleDeadline, 10_000 + 5_000 - 500);
  assert.equal(short.idleDeadlineReason, 'server-idle-limit');
  assert.equal(h.liveTimers()[0]!.delay, 4_500);
  // Long limit: the margin is idleSafetyMargin.
  const long = await h.fresh(B);
  long.keepAliveTimeoutMs = 30_000;
  h.pool.release(long);
  assert.equal(long.idleDeadline, 10_000 + 30_000 - 1_000);
  assert.equal(long.idleDeadlineReason, 'server-idle-limit');

  assert.equal(h.pool.sweep(14_499), 14_500);
  assert.equal(short.poolState, 'idle');
  h.clock.now = 14_500;
  h.runDueTimers();
  assert.deepEqual(short.closeCalls, ['server-idle-limit']);
  assert.deepEqual(h.stats(A).closed, { 'server-idle-limit': 1 });
  assert.equal(long.poolState, 'idle');
});

test('Keep-Alive timeout longer than idleConnTimeout: the client timeout wins with idle-timeout', async () => {
  const h = harness({ idleConnTimeout: 2_000 });
  const c = await h.fresh(A);
  c.keepAliveTimeoutMs = 60_000;
  h.pool.release(c);
  assert.equal(c.idleDeadline, 12_000);
  assert.equal(c.idleDeadlineReason, 'idle-timeout');
});

test('Keep-Alive timeout with idleConnTimeout 0 still retires before the server does', async () => {
  const h = harness({ idleConnTimeout: 0, idleSafetyMargin: 1_000 });
  const c = await h.fresh(A);
  c.keepAliveTimeoutMs = 10_000;
  h.pool.release(c);
  assert.equal(c.idleDeadline, 19_000);
  assert.equal(c.idleDeadlineReason, 'server-idle-limit');
});

test('learned idle limit: after a server-closed idle connection idle X ms, later ones retire at X - margin', async () => {
  const h = harness({ idleConnTimeout: 90_000, idleSafetyMargin: 1_000 });
  const first = await h.idle(A); // idle since 10_000
  h.clock.now = 13_000;
  first.alive = false;
  first.close('server-closed'); // as Conn does when the FIN arrives on an idle connection
  assert.deepEqual(h.stats(A).closed, { 'server-closed': 1 });

  h.clock.now = 20_000;
  const second = await h.fresh(A);
  h.pool.release(second);
  // limit 3_000, margin min(1_000, 300) = 300
  assert.equal(second.idleDeadline, 20_000 + 3_000 - 300);
  assert.equal(second.idleDeadlineReason, 'server-idle-limit');
  h.clock.now = 22_700;
  h.runDueTimers();
  assert.deepEqual(second.closeCalls, ['server-idle-limit']);

  // Another host has learned nothing.
  const other = await h.fresh(B);
  h.pool.release(other);
  assert.equal(other.idleDeadlineReason, 'idle-timeout');
  assert.equal(other.idleDeadline, h.clock.now + 90_000);

  // An announced Keep-Alive timeout wins over the learned one.
  const announced = await h.fresh(A);
  announced.keepAliveTimeoutMs = 20_000;
  h.pool.release(announced);
  assert.equal(announced.idleDeadline, h.clock.now + 20_000 - 1_000);
});

test('learned idle limit: the server-closed connection found by acquire teaches it too', async () => {
  const h = harness({ idleSafetyMargin: 1_000 });
  const c = await h.idle(A);
  h.clock.now += 4_000;
  c.alive = false;
  const p = h.pool.acquire(A);
  assert.deepEqual(c.closeCalls, ['server-closed']);
  const c2 = await h.dials[1]!.land();
  assert.equal((await p).conn, c2);
  h.pool.release(c2);
  assert.equal(c2.idleDeadline, h.clock.now + 4_000 - 400);
  assert.equal(c2.idleDeadlineReason, 'server-idle-limit');
});

test('learned idle limit: ignored when an older idle connection is still open, or the idle time was tiny', async () => {
  const h = harness();
  const older = await h.fresh(A);
  const newer = await h.fresh(A);
  h.pool.release(older); // idle since 10_000
  h.clock.now = 11_000;
  h.pool.release(newer); // idle since 11_000
  h.clock.now = 12_000;
  newer.alive = false;
  newer.close('server-closed'); // not the idle timeout: an older one is still fine
  // A fresh connection released now is timed by idleConnTimeout alone.
  const probe = h.pool.acquire(A);
  assert.ok(!(probe instanceof Promise));
  assert.equal(probe.conn, older);
  h.pool.release(older);
  assert.equal(older.idleDeadlineReason, 'idle-timeout', 'nothing was learned');
  assert.equal(older.idleDeadline, h.clock.now + 90_000);

  const h2 = harness();
  const quick = await h2.idle(A);
  h2.clock.now += 10; // below the 50 ms floor
  quick.alive = false;
  quick.close('server-closed');
  const probe2 = await h2.fresh(A);
  h2.pool.release(probe2);
  assert.equal(probe2.idleDeadlineReason, 'idle-timeout');
});

test('learned idle limit: nothing is learned from a mass close (idle connections dropped together, as Apache with busy workers does)', async () => {
  const h = harness({ idleSafetyMargin: 1_000 });
  // A limit learned honestly first: 3 s.
  const honest = await h.idle(A);
  h.clock.now += 3_000;
  honest.alive = false;
  honest.close('server-closed');
  // Three idle connections, the oldest idle 200 ms, dropped within a few ms of each other.
  const conns = [await h.fresh(A), await h.fresh(A), await h.fresh(A)];
  h.clock.now += 10_000;
  for (const c of conns) h.pool.release(c);
  h.clock.now += 200;
  for (const c of conns) {
    c.alive = false;
    c.close('server-closed');
    h.clock.now += 2;
  }
  const probe = await h.fresh(A);
  h.pool.release(probe);
  // Still the honest 3 s (less its margin, min(1_000, 300)), not the 200 ms the burst suggested.
  assert.equal(probe.idleDeadlineReason, 'server-idle-limit');
  assert.equal(probe.idleDeadline, h.clock.now + 3_000 - 300);
});

test('learned idle limit is forgotten after five minutes without a new observation', async () => {
  const h = harness();
  const c = await h.idle(A);
  h.clock.now += 3_000;
  c.alive = false;
  c.close('server-closed');
  h.clock.now += 5 * 60_000 + 1;
  const probe = await h.fresh(A);
  h.pool.release(probe);
  assert.equal(probe.idleDeadlineReason, 'idle-timeout');
  assert.equal(probe.idleDeadline, h.clock.now + 90_000);
});

// ---------------------------------------------------------------------------------------------
// disableKeepAlives, close(), misuse

test('disableKeepAlives: every release closes the connection as keepalives-disabled', async () => {
  const h = harness({ disableKeepAlives: true });
  const c = await h.fresh(A);
  assert.equal(h.pool.release(c), 'keepalives-disabled');
  assert.deepEqual(c.closeCalls, ['keepalives-disabled']);
  assert.deepEqual(h.counts(A), { active: 0, idle: 0, dialing: 0, waiting: 0 });
  const p = h.pool.acquire(A);
  assert.ok(p instanceof Promise, 'nothing idle to reuse');
  await h.dials[1]!.land();
  assert.deepEqual(h.stats(A).closed, { 'keepalives-disabled': 1 });
});

test('disableKeepAlives with a waiter: the connection is not handed over; the waiter dials once the slot frees', async () => {
  const h = harness({ disableKeepAlives: true, maxConnsPerHost: 1 });
  const c = await h.fresh(A);
  const w = h.track(h.pool.acquire(A));
  assert.equal(h.pool.release(c), 'keepalives-disabled');
  await flush();
  assert.equal(w.settled, false);
  assert.equal(h.dials.length, 2);
  const c2 = await h.dials[1]!.land();
  assert.equal(w.value?.conn, c2);
});

test('close(): idle connections close as transport-closed, waiters fail ERR_TRANSPORT_CLOSED, later acquires throw', async () => {
  const h = harness({ maxConnsPerHost: 1, idleConnTimeout: 1_000 });
  const idleConn = await h.idle(C);
  const active = await h.fresh(A);
  assert.equal(h.liveTimers().length, 1, 'a sweep is armed for the idle connection');
  const w1 = h.track(h.pool.acquire(B)); // dialing
  const w2 = h.track(h.pool.acquire(A)); // queued behind maxConnsPerHost
  assert.deepEqual(h.counts(B), { active: 0, idle: 0, dialing: 1, waiting: 1 });
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 0, waiting: 1 });

  h.pool.close();
  assert.equal(h.pool.isClosed, true);
  await flush();
  assert.ok(w1.settled && w2.settled, 'both waiters were settled by close()');
  isCode('ERR_TRANSPORT_CLOSED')(w1.error);
  isCode('ERR_TRANSPORT_CLOSED')(w2.error);
  assert.deepEqual(idleConn.closeCalls, ['transport-closed']);
  assert.deepEqual(h.stats(C).closed, { 'transport-closed': 1 });
  assert.equal(h.liveTimers().length, 0, 'the sweep timer is cancelled');
  assert.equal(h.counts(B).waiting, 0);
  assert.equal(h.counts(A).waiting, 0);
  await assert.rejects(async () => h.pool.acquire(A), isCode('ERR_TRANSPORT_CLOSED'));
  await assert.rejects(async () => h.pool.acquire('http://new.test:80'), isCode('ERR_TRANSPORT_CLOSED'));

  // A dial that lands after close is closed, not parked.
  const late = await h.dials.find((d) => d.key === B)!.land();
  assert.deepEqual(late.closeCalls, ['transport-closed']);
  assert.deepEqual(h.counts(B), { active: 0, idle: 0, dialing: 0, waiting: 0 });
  assert.equal(h.stats(B).opened, 1);
  // An active connection released after close is closed too, and frees no dial.
  assert.equal(h.pool.release(active), 'transport-closed');
  assert.deepEqual(active.closeCalls, ['transport-closed']);
  assert.deepEqual(h.counts(A), { active: 0, idle: 0, dialing: 0, waiting: 0 });
  assert.equal(h.dials.filter((d) => d.key === A).length, 1, 'the failed waiter never dialed');
});

test('close() fails a waiter queued behind maxConnsPerHost', async () => {
  const h = harness({ maxConnsPerHost: 1 });
  const c = await h.fresh(A);
  const w = h.track(h.pool.acquire(A));
  h.pool.close();
  await flush();
  assert.ok(w.settled);
  isCode('ERR_TRANSPORT_CLOSED')(w.error);
  c.close('transport-closed');
  assert.equal(h.dials.length, 1, 'no dial for a failed waiter');
});

test('closeIdle closes idle connections only, with the given reason', async () => {
  const h = harness();
  const active = await h.fresh(A);
  const idleConn = await h.idle(A);
  h.pool.closeIdle('idle-closed');
  assert.deepEqual(idleConn.closeCalls, ['idle-closed']);
  assert.equal(active.poolState, 'active');
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 0, waiting: 0 });
});

test('closing a connection twice throws loudly; releasing an idle or closed one throws', async () => {
  const h = harness();
  const c = await h.fresh(A);
  c.close('read-error');
  assert.throws(() => h.pool.closed(c, 'read-error'), /closed twice/);
  assert.throws(() => h.pool.release(c), /release of a closed connection/);
  assert.deepEqual(h.stats(A).closed, { 'read-error': 1 }, 'the second close was not counted');
  assert.equal(h.counts(A).active, 0);

  const d = await h.idle(A);
  assert.throws(() => h.pool.release(d), /release of a idle connection|release of an idle connection/);
  assert.equal(h.counts(A).idle, 1);
});

test('snapshot counts through a full life: dialing, waiting, active, idle, opened, closed reasons', async () => {
  const h = harness({ maxIdleConnsPerHost: 1 });
  const p1 = h.pool.acquire(A);
  const p2 = h.pool.acquire(A);
  assert.deepEqual(h.counts(A), { active: 0, idle: 0, dialing: 2, waiting: 2 });
  const c1 = await h.dials[0]!.land();
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 1, waiting: 1 });
  const c2 = await h.dials[1]!.land();
  await p1;
  await p2;
  assert.deepEqual(h.counts(A), { active: 2, idle: 0, dialing: 0, waiting: 0 });
  h.pool.release(c1);
  h.pool.release(c2); // over maxIdleConnsPerHost
  assert.deepEqual(h.counts(A), { active: 0, idle: 1, dialing: 0, waiting: 0 });
  const s = h.stats(A);
  assert.equal(s.opened, 2);
  assert.deepEqual(s.closed, { 'idle-pool-full': 1 });
  // counters() are the same object the snapshot copies.
  h.pool.counters(A).requests += 3;
  h.pool.counters(A).reused += 1;
  assert.equal(h.stats(A).requests, 3);
  assert.equal(h.stats(A).reused, 1);
  // Snapshots are copies.
  const snap = h.pool.snapshot()[A]!;
  snap.closed['timeout'] = 99;
  assert.equal(h.stats(A).closed['timeout'], undefined);
});

// ---------------------------------------------------------------- multiplexed (HTTP/2) sessions

const session = (maxStreams: number) => (c: FakeConn): void => {
  c.multiplexed = true;
  c.maxStreams = maxStreams;
};

test('multiplexed: one session serves requests up to its stream limit without dialing, then a new dial starts', async () => {
  const h = harness();
  const p = h.pool.acquire(A);
  const s1 = await h.dials[0]!.land(session(2));
  assert.equal((await p).conn, s1);
  const second = h.pool.acquire(A);
  assert.ok(!(second instanceof Promise), 'a free stream is handed out at once');
  assert.equal(second.conn, s1);
  assert.equal(second.reused, true);
  assert.equal(s1.streams, 2);
  const third = h.track(h.pool.acquire(A));
  assert.equal(h.dials.length, 2, 'the full session made the pool dial another');
  const s2 = await h.dials[1]!.land(session(2));
  assert.equal(third.value?.conn, s2);
  assert.deepEqual(h.counts(A), { active: 2, idle: 0, dialing: 0, waiting: 0 });
});

test('multiplexed: while a session is being dialed, later requests wait for it instead of dialing their own', async () => {
  const h = harness();
  const first = h.pool.acquire(A);
  const s1 = await h.dials[0]!.land(session(10));
  await first;
  s1.close('goaway'); // the key is known to speak HTTP/2; no session is open now
  const waiting = [h.track(h.pool.acquire(A)), h.track(h.pool.acquire(A)), h.track(h.pool.acquire(A))];
  assert.equal(h.dials.length, 2, 'one dial for all three');
  const s2 = await h.dials[1]!.land(session(10));
  for (const w of waiting) assert.equal(w.value?.conn, s2);
  assert.equal(s2.streams, 3);
});

test('multiplexed: maxConnsPerHost counts sessions; a stream that ends serves the first waiter', async () => {
  const h = harness({ maxConnsPerHost: 1 });
  const p = h.pool.acquire(A);
  const s1 = await h.dials[0]!.land(session(1));
  await p;
  const w = h.track(h.pool.acquire(A));
  await flush();
  assert.equal(h.dials.length, 1, 'no room for a second session');
  assert.equal(w.settled, false);
  assert.equal(h.counts(A).waiting, 1);
  s1.endStream();
  await flush();
  assert.equal(w.value?.conn, s1, 'the freed stream went to the waiter');
  assert.equal(s1.streams, 1);
});

test('multiplexed: a closed session frees its slot for a queued request; an idle session counts as idle', async () => {
  const h = harness({ maxConnsPerHost: 1 });
  const p = h.pool.acquire(A);
  const s1 = await h.dials[0]!.land(session(1));
  await p;
  const w = h.track(h.pool.acquire(A));
  s1.close('goaway');
  await flush();
  assert.equal(h.dials.length, 2, 'the slot went to the queued request');
  const s2 = await h.dials[1]!.land(session(4));
  assert.equal(w.value?.conn, s2);
  assert.deepEqual(h.counts(A), { active: 1, idle: 0, dialing: 0, waiting: 0 });
  s2.endStream();
  assert.deepEqual(h.counts(A), { active: 0, idle: 1, dialing: 0, waiting: 0 });
  assert.deepEqual(h.stats(A).closed, { goaway: 1 });
});

test('multiplexed: when the next dial comes back HTTP/1.1, requests held back for a session dial their own', async () => {
  const h = harness();
  const p = h.pool.acquire(A);
  const s1 = await h.dials[0]!.land(session(10));
  await p;
  s1.close('goaway');
  const a = h.track(h.pool.acquire(A));
  const b = h.track(h.pool.acquire(A));
  assert.equal(h.dials.length, 2);
  const plain = await h.dials[1]!.land(); // the server no longer offers h2
  assert.equal(a.value?.conn, plain);
  await flush();
  assert.equal(h.dials.length, 3, 'the held-back request dialed');
  const plain2 = await h.dials[2]!.land();
  assert.equal(b.value?.conn, plain2);
});

test('multiplexed: closeIdleConnections closes idle sessions and leaves busy ones', async () => {
  const h = harness();
  const p1 = h.pool.acquire(A);
  const s1 = await h.dials[0]!.land(session(1));
  await p1;
  const p2 = h.pool.acquire(A);
  const s2 = await h.dials[1]!.land(session(1));
  await p2;
  s2.endStream();
  h.pool.closeIdle();
  assert.deepEqual(s2.closeCalls, ['idle-closed']);
  assert.deepEqual(s1.closeCalls, []);
});

test('multiplexed: a cold burst keeps one session; sessions dialed for requests it already served close as surplus', async () => {
  const h = harness();
  const burst = [h.track(h.pool.acquire(A)), h.track(h.pool.acquire(A)), h.track(h.pool.acquire(A))];
  assert.equal(h.dials.length, 3, 'nobody knew the host speaks HTTP/2 yet');
  const s1 = await h.dials[0]!.land(session(100));
  for (const w of burst) assert.equal(w.value?.conn, s1, 'the first session served the whole burst');
  const s2 = await h.dials[1]!.land(session(100));
  const s3 = await h.dials[2]!.land(session(100));
  assert.deepEqual(s2.closeCalls, ['surplus']);
  assert.deepEqual(s3.closeCalls, ['surplus']);
  assert.deepEqual(h.stats(A).closed, { surplus: 2 });
  assert.equal(h.stats(A).opened, 3);
});

test('multiplexed: a session that lands while the others are full is kept', async () => {
  const h = harness();
  const a = h.track(h.pool.acquire(A));
  const b = h.track(h.pool.acquire(A));
  const s1 = await h.dials[0]!.land(session(1));
  assert.equal(a.value?.conn, s1);
  assert.equal(b.settled, false, 'the only stream is taken');
  const s2 = await h.dials[1]!.land(session(1));
  assert.equal(b.value?.conn, s2);
  assert.deepEqual(s2.closeCalls, []);
});

test('maxIdleMs: idle connections idle longer are left for others and a dial starts; a fresher one is taken; a full maxConnsPerHost takes the old one', async () => {
  const h = harness();
  const old = await h.fresh(A);
  const recent = await h.fresh(A);
  h.pool.release(old);
  h.clock.now += 1_500;
  h.pool.release(recent);
  h.clock.now += 200;
  // The freshest (idle 200 ms) is within 500 ms: taken.
  const got = h.pool.acquire(A, null, null, null, 500);
  assert.ok(!(got instanceof Promise));
  assert.equal(got.conn, recent);
  h.pool.release(recent);
  h.clock.now += 800;
  // Now even the freshest has been idle 800 ms: a dial; the freshest idle one is closed
  // (idle-too-long: a client of only such requests would leave one behind per request), the older stays for others.
  const dials = h.dials.length;
  const waiting = h.pool.acquire(A, null, null, null, 500);
  assert.ok(waiting instanceof Promise);
  assert.equal(h.dials.length, dials + 1);
  assert.equal(recent.poolState, 'closed');
  assert.equal(h.stats(A).closed['idle-too-long'], 1);
  assert.equal(h.stats(A).idle, 1);
  const dialed = await h.dials[dials]!.land();
  assert.equal((await waiting).conn, dialed);
  // Without the limit, the freshest idle one, as before.
  const any = h.pool.acquire(A);
  assert.ok(!(any instanceof Promise));
  assert.equal(any.conn, old);
  h.pool.release(any.conn);

  // maxConnsPerHost reached by idle connections: waiting could outlast them, so the old one is taken.
  const capped = harness({ maxConnsPerHost: 1 });
  const only = await capped.idle(A);
  capped.clock.now += 5_000;
  const taken = capped.pool.acquire(A, null, null, null, 500);
  assert.ok(!(taken instanceof Promise));
  assert.equal(taken.conn, only);
  assert.equal(old.poolState, 'idle');
});
