// HTTP/2 flow-control accounting (src/h2/flow.ts, RFC 9113 §5.2, §6.9): send-window edges at
// 2^31-1, negative windows after a SETTINGS_INITIAL_WINDOW_SIZE decrease recovering through
// WINDOW_UPDATE, a zero window blocking until an update, receive-window overflow refused, and
// WINDOW_UPDATE batching; plus a fast-check model of SendWindow.

import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_CONNECTION_RECEIVE_WINDOW,
  DEFAULT_STREAM_RECEIVE_WINDOW,
  ReceiveWindow,
  SendWindow,
} from '../src/h2/flow.js';
import { H2Code, MAX_WINDOW_SIZE } from '../src/h2/frames/index.js';
import { assertH2Error } from './support/h2-frames.js';
import { fuzzRuns } from './support/fuzz/settings.js';

const MAX = 2 ** 31 - 1;


test('SendWindow: starts at the initial size; the connection at 65,535', () => {
  assert.equal(MAX_WINDOW_SIZE, MAX);
  assert.equal(new SendWindow(0).available, 65_535);
  assert.equal(new SendWindow(1, 1_048_576).available, 1_048_576);
  assert.throws(() => new SendWindow(1, MAX + 1), RangeError);
  assert.throws(() => new SendWindow(1, -1), RangeError);
});

test('SendWindow.update: to exactly 2^31-1 accepted, one more refused (stream and connection scope)', () => {
  for (const [sid, scope] of [[0, 'connection'], [5, 'stream']] as const) {
    const w = new SendWindow(sid, 65_535);
    assert.equal(w.update(MAX - 65_535), null);
    assert.equal(w.available, MAX);
    assertH2Error(w.update(1), H2Code.FLOW_CONTROL_ERROR, scope, sid);
    assert.equal(w.available, MAX, 'window unchanged by a refused update');
    // From zero, a single increment of 2^31-1 is fine, 2^31-1 then 1 is not.
    const z = new SendWindow(sid, 0);
    assert.equal(z.update(MAX), null);
    assertH2Error(z.update(1), H2Code.FLOW_CONTROL_ERROR, scope, sid);
  }
});

test('SendWindow: a zero window blocks (available 0) until a WINDOW_UPDATE', () => {
  const w = new SendWindow(3, 16_384);
  w.consume(16_384);
  assert.equal(w.available, 0);
  assert.throws(() => w.consume(1), RangeError, 'sending past the window is our bug');
  assert.equal(w.update(100), null);
  assert.equal(w.available, 100);
  w.consume(100);
  assert.equal(w.available, 0);
});

test('SendWindow.adjust: a SETTINGS decrease makes the window negative; WINDOW_UPDATEs recover it (§6.9.2)', () => {
  const w = new SendWindow(1, 65_535);
  w.consume(60_000); // 5,535 left
  assert.equal(w.adjust(16_384 - 65_535), null); // peer lowers SETTINGS_INITIAL_WINDOW_SIZE to 16 KiB
  assert.equal(w.size, 5_535 - 49_151);
  assert.equal(w.available, 0);
  assert.throws(() => w.consume(1), RangeError);
  assert.equal(w.update(43_616), null); // back to exactly 0: still blocked
  assert.equal(w.size, 0);
  assert.equal(w.available, 0);
  assert.equal(w.update(10), null);
  assert.equal(w.available, 10);
  // A raise adds the delta; past 2^31-1 is a connection error whatever the window's stream.
  assert.equal(w.adjust(MAX - 10), null);
  assert.equal(w.available, MAX);
  assertH2Error(w.adjust(1), H2Code.FLOW_CONTROL_ERROR, 'connection', 0);
  assert.equal(w.available, MAX);
  assert.throws(() => new SendWindow(0).adjust(1), RangeError, 'the connection window is not adjusted by SETTINGS');
});

test('ReceiveWindow: a peer sending beyond the window is refused (stream error on a stream, connection error on stream 0)', () => {
  for (const [sid, scope] of [[0, 'connection'], [7, 'stream']] as const) {
    const w = new ReceiveWindow(sid, 65_535);
    assert.equal(w.received(65_535), null, 'exactly the window is fine');
    assert.equal(w.available, 0);
    assertH2Error(w.received(1), H2Code.FLOW_CONTROL_ERROR, scope, sid);
    assert.equal(w.unread, 65_535, 'refused octets are not counted');
    // Reading without reaching the threshold gives the peer nothing back yet.
    const v = new ReceiveWindow(sid, 100);
    assert.equal(v.received(60), null);
    assert.equal(v.consumed(40), 0);
    assertH2Error(v.received(41), H2Code.FLOW_CONTROL_ERROR, scope, sid);
    assert.equal(v.received(40), null);
  }
});

test('ReceiveWindow: WINDOW_UPDATEs batched at half the window; their sum equals what was consumed', () => {
  const size = DEFAULT_STREAM_RECEIVE_WINDOW; // 4 MiB
  const w = new ReceiveWindow(1, size);
  assert.equal(w.threshold, size / 2);
  const frame = 16_384;
  const frames = 1_000; // ~15.6 MiB through a 4 MiB window
  const updates: number[] = [];
  let consumed = 0;
  for (let i = 0; i < frames; i++) {
    assert.equal(w.received(frame), null, `frame ${i}`);
    const inc = w.consumed(frame);
    consumed += frame;
    if (inc > 0) {
      updates.push(inc);
      assert.equal(inc, size / 2, 'one update per half window: 128 DATA frames');
      assert.equal(w.pending, 0);
    }
    assert.ok(w.pending < w.threshold);
  }
  assert.equal(updates.length, Math.floor((frames * frame) / (size / 2)));
  assert.equal(updates.reduce((a, b) => a + b, 0) + w.pending, consumed);
  assert.equal(w.available + w.pending + w.unread, size);
});

test('ReceiveWindow: a reader behind the sender; the window closes, then reopens by one batched update', () => {
  const w = new ReceiveWindow(3, 65_536, { threshold: 32_768 });
  for (let i = 0; i < 4; i++) assert.equal(w.received(16_384), null);
  assert.equal(w.available, 0);
  assertH2Error(w.received(1), H2Code.FLOW_CONTROL_ERROR, 'stream', 3);
  assert.equal(w.consumed(16_384), 0);
  assert.equal(w.consumed(16_383), 0);
  assert.equal(w.consumed(1), 32_768);
  assert.equal(w.available, 32_768);
  assert.throws(() => w.consumed(32_769), RangeError, 'cannot read more than was received');
});

test('ReceiveWindow.connection: Go-sized window raised from 65,535 by an initial WINDOW_UPDATE', () => {
  const c = ReceiveWindow.connection();
  assert.equal(c.size, DEFAULT_CONNECTION_RECEIVE_WINDOW);
  assert.equal(c.initialIncrement, DEFAULT_CONNECTION_RECEIVE_WINDOW - 65_535);
  assert.equal(c.available, 1 << 30);
  const max = ReceiveWindow.connection(MAX);
  assert.equal(max.initialIncrement, MAX - 65_535);
  assert.equal(max.received(MAX), null);
  assert.equal(max.consumed(MAX), MAX);
  assert.equal(max.available, MAX);
  assert.throws(() => new ReceiveWindow(1, MAX + 1), RangeError);
  assert.throws(() => new ReceiveWindow(1, 100, { threshold: 101 }), RangeError);
});

test('SendWindow property: random consume/update/adjust match a reference model, never above 2^31-1 without an error', () => {
  type Op = { kind: 'consume' | 'update' | 'adjust'; n: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('consume' as const), n: fc.nat({ max: 1 << 20 }) }),
    fc.record({ kind: fc.constant('update' as const), n: fc.oneof(fc.integer({ min: 1, max: 1 << 20 }), fc.integer({ min: 1, max: MAX })) }),
    // A change of SETTINGS_INITIAL_WINDOW_SIZE from one legal value to another: delta in ±(2^31-1).
    fc.record({ kind: fc.constant('adjust' as const), n: fc.integer({ min: -MAX, max: MAX }) }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MAX }), fc.array(op, { maxLength: 60 }), (initial, ops) => {
      const w = new SendWindow(9, initial);
      let model = initial;
      for (const { kind, n } of ops) {
        if (kind === 'consume') {
          const take = Math.min(n, Math.max(0, model));
          w.consume(take);
          model -= take;
        } else if (kind === 'update') {
          const err = w.update(n);
          if (model + n > MAX) assertH2Error(err, H2Code.FLOW_CONTROL_ERROR, 'stream', 9);
          else {
            assert.equal(err, null);
            model += n;
          }
        } else {
          const err = w.adjust(n);
          if (model + n > MAX) assertH2Error(err, H2Code.FLOW_CONTROL_ERROR, 'connection', 0);
          else {
            assert.equal(err, null);
            model += n;
          }
        }
        assert.equal(w.size, model);
        assert.equal(w.available, Math.max(0, model));
        assert.ok(w.size <= MAX);
      }
    }),
    { numRuns: fuzzRuns(300) },
  );
});

test('ReceiveWindow property: received/consumed keep available + unread + pending = size, updates sum to consumed', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1 << 22 }),
      fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 1 << 21 })), { maxLength: 80 }),
      (size, ops) => {
        const w = new ReceiveWindow(1, size);
        let sent = 0;
        let consumed = 0;
        let returned = 0;
        for (const [isRecv, n] of ops) {
          if (isRecv) {
            const err = w.received(n);
            if (n > size - (sent - returned)) assertH2Error(err, H2Code.FLOW_CONTROL_ERROR, 'stream', 1);
            else {
              assert.equal(err, null);
              sent += n;
            }
          } else {
            const take = Math.min(n, sent - consumed);
            const inc = w.consumed(take);
            consumed += take;
            returned += inc;
            assert.ok(inc === 0 || inc >= w.threshold);
          }
          assert.equal(w.available, size - (sent - returned));
          assert.equal(w.available + w.unread + w.pending, size);
          assert.equal(returned + w.pending, consumed);
        }
      },
    ),
    { numRuns: fuzzRuns(300) },
  );
});
