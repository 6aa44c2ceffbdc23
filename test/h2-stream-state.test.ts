// The client stream state machine (src/h2/stream-state.ts, RFC 9113 §5.1): every state × every
// event, each with its next state, its error (exact h2Code and scope) or the throw for a send
// §5.1 forbids; client stream ids (§5.1.1) up to 2^31-1 and the retire signal; frames on
// untracked streams (idle, server-initiated, closed); the recently-reset ring and its bounds.

import test from 'node:test';
import assert from 'node:assert/strict';
import { H2Code } from '../src/h2/frames/index.js';
import { assertH2Error } from './support/h2-frames.js';
import {
  isClosed,
  MAX_STREAM_ID,
  nextState,
  RecentlyReset,
  StreamEvent as E,
  StreamIds,
  StreamState as S,
  type StreamEventValue,
  type StreamStateValue,
} from '../src/h2/stream-state.js';

const MAX = 2 ** 31 - 1;


// Expected outcome: a state, a [h2Code, scope] error, or 'throw' (a send our code must not make).
type Outcome = StreamStateValue | readonly [number, 'connection' | 'stream'] | 'throw';
const PROTO_CONN = [H2Code.PROTOCOL_ERROR, 'connection'] as const;
const CLOSED_STREAM = [H2Code.STREAM_CLOSED, 'stream'] as const;
const CLOSED_CONN = [H2Code.STREAM_CLOSED, 'connection'] as const;

// Columns in StreamEvent order:
// SEND_HEADERS, SEND_DATA, SEND_END_STREAM, SEND_RST, RECV_HEADERS, RECV_DATA, RECV_END_STREAM, RECV_RST, RECV_WINDOW_UPDATE, RECV_PRIORITY
const TABLE: ReadonlyArray<readonly [StreamStateValue, readonly Outcome[]]> = [
  [S.IDLE, [S.OPEN, 'throw', 'throw', 'throw', PROTO_CONN, PROTO_CONN, PROTO_CONN, PROTO_CONN, PROTO_CONN, S.IDLE]],
  [S.OPEN, [S.OPEN, S.OPEN, S.HALF_CLOSED_LOCAL, S.CLOSED_RESET_SENT, S.OPEN, S.OPEN, S.HALF_CLOSED_REMOTE, S.CLOSED_RESET_RECEIVED, S.OPEN, S.OPEN]],
  [S.HALF_CLOSED_LOCAL, ['throw', 'throw', 'throw', S.CLOSED_RESET_SENT, S.HALF_CLOSED_LOCAL, S.HALF_CLOSED_LOCAL, S.CLOSED, S.CLOSED_RESET_RECEIVED, S.HALF_CLOSED_LOCAL, S.HALF_CLOSED_LOCAL]],
  [S.HALF_CLOSED_REMOTE, [S.HALF_CLOSED_REMOTE, S.HALF_CLOSED_REMOTE, S.CLOSED, S.CLOSED_RESET_SENT, CLOSED_STREAM, CLOSED_STREAM, CLOSED_STREAM, S.CLOSED_RESET_RECEIVED, S.HALF_CLOSED_REMOTE, S.HALF_CLOSED_REMOTE]],
  [S.CLOSED, ['throw', 'throw', 'throw', 'throw', CLOSED_CONN, CLOSED_CONN, CLOSED_CONN, S.CLOSED, S.CLOSED, S.CLOSED]],
  [S.CLOSED_RESET_SENT, ['throw', 'throw', 'throw', 'throw', S.CLOSED_RESET_SENT, S.CLOSED_RESET_SENT, S.CLOSED_RESET_SENT, S.CLOSED_RESET_SENT, S.CLOSED_RESET_SENT, S.CLOSED_RESET_SENT]],
  [S.CLOSED_RESET_RECEIVED, ['throw', 'throw', 'throw', 'throw', CLOSED_STREAM, CLOSED_STREAM, CLOSED_STREAM, S.CLOSED_RESET_RECEIVED, CLOSED_STREAM, S.CLOSED_RESET_RECEIVED]], // RST after RST: ignored (§5.4.2)
];

const EVENT_NAMES = Object.keys(E);
const STATE_NAMES = Object.keys(S);

test('nextState: every state × event (RFC 9113 §5.1)', () => {
  assert.equal(TABLE.length, Object.keys(S).length);
  let rows = 0;
  for (const [state, outcomes] of TABLE) {
    assert.equal(outcomes.length, Object.keys(E).length);
    outcomes.forEach((want, event) => {
      const label = `${STATE_NAMES[state]} + ${EVENT_NAMES[event]}`;
      const sid = 5;
      if (want === 'throw') {
        assert.throws(() => nextState(state, event as StreamEventValue, sid), /RFC 9113 §5\.1/, label);
      } else if (typeof want === 'number') {
        assert.equal(nextState(state, event as StreamEventValue, sid), want, label);
      } else {
        const got = nextState(state, event as StreamEventValue, sid);
        assert.notEqual(typeof got, 'number', `${label}: expected an error, got state ${String(got)}`);
        assertH2Error(got, want[0], want[1], sid);
      }
      rows++;
    });
  }
  assert.equal(rows, 70);
});

test('nextState: the usual request lives (GET; POST with body and trailers; cancel; server reset)', () => {
  function run(events: StreamEventValue[]): StreamStateValue {
    let s: StreamStateValue = S.IDLE;
    for (const ev of events) {
      const r = nextState(s, ev, 1);
      assert.equal(typeof r, 'number', `${EVENT_NAMES[ev]} from ${STATE_NAMES[s]}`);
      s = r as StreamStateValue;
    }
    return s;
  }
  // GET: HEADERS+END_STREAM; 103, then 200, DATA, DATA+END_STREAM.
  assert.equal(run([E.SEND_HEADERS, E.SEND_END_STREAM, E.RECV_HEADERS, E.RECV_HEADERS, E.RECV_DATA, E.RECV_DATA, E.RECV_END_STREAM]), S.CLOSED);
  // POST whose response ends first (early 413), body still going, then trailers with END_STREAM.
  assert.equal(run([E.SEND_HEADERS, E.SEND_DATA, E.RECV_HEADERS, E.RECV_END_STREAM, E.RECV_WINDOW_UPDATE, E.SEND_DATA, E.SEND_HEADERS, E.SEND_END_STREAM]), S.CLOSED);
  // Body closed early: we reset; late frames are ignored in that state.
  const r = run([E.SEND_HEADERS, E.SEND_END_STREAM, E.RECV_HEADERS, E.SEND_RST, E.RECV_DATA, E.RECV_DATA, E.RECV_END_STREAM]);
  assert.equal(r, S.CLOSED_RESET_SENT);
  assert.ok(isClosed(r));
  assert.equal(run([E.SEND_HEADERS, E.RECV_RST]), S.CLOSED_RESET_RECEIVED);
  assert.ok(!isClosed(S.HALF_CLOSED_LOCAL));
});

test('StreamIds: odd, increasing from 1; 2^31-1 is the last; then 0 (retire), never a throw', () => {
  const ids = new StreamIds();
  assert.equal(ids.last, 0);
  assert.deepEqual([ids.next(), ids.next(), ids.next()], [1, 3, 5]);
  assert.equal(ids.last, 5);
  assert.equal(MAX_STREAM_ID, MAX);
  const end = new StreamIds(MAX - 2);
  assert.equal(end.next(), MAX - 2);
  assert.equal(end.exhausted, false);
  assert.equal(end.next(), MAX);
  assert.equal(end.exhausted, true);
  assert.equal(end.next(), 0);
  assert.equal(end.next(), 0);
  assert.equal(end.last, MAX);
  assert.throws(() => new StreamIds(2), RangeError);
  assert.throws(() => new StreamIds(MAX + 2), RangeError);
});

test('StreamIds.checkUntracked: even ids and idle odd ids are PROTOCOL_ERROR; PRIORITY allowed; opened ids pass', () => {
  const ids = new StreamIds();
  ids.next(); // 1
  ids.next(); // 3
  const frames = [E.RECV_HEADERS, E.RECV_DATA, E.RECV_RST, E.RECV_WINDOW_UPDATE] as const;
  for (const ev of frames) {
    assertH2Error(ids.checkUntracked(2, ev), H2Code.PROTOCOL_ERROR, 'connection', 2); // server-initiated, push off
    assertH2Error(ids.checkUntracked(5, ev), H2Code.PROTOCOL_ERROR, 'connection', 5); // idle: not opened yet
    assertH2Error(ids.checkUntracked(101, ev), H2Code.PROTOCOL_ERROR, 'connection', 101);
    assert.equal(ids.checkUntracked(1, ev), null); // opened, closed since: RecentlyReset decides
    assert.equal(ids.checkUntracked(3, ev), null);
  }
  for (const sid of [2, 5, 101]) assert.equal(ids.checkUntracked(sid, E.RECV_PRIORITY), null); // §6.3: PRIORITY on any stream
});

test('RecentlyReset: late frames after our RST_STREAM ignored, DATA bounded by the stream window, others by count', () => {
  const rr = new RecentlyReset({ capacity: 4, maxFrames: 3 });
  rr.add(7, 1_000);
  assert.ok(rr.has(7));
  assert.equal(rr.onFrame(7, E.RECV_DATA, 600), null);
  assert.equal(rr.onFrame(7, E.RECV_DATA, 400), null); // exactly the window
  assert.equal(rr.onFrame(7, E.RECV_END_STREAM), null);
  assertH2Error(rr.onFrame(7, E.RECV_DATA, 1), H2Code.FLOW_CONTROL_ERROR, 'connection', 7);
  // Non-DATA: maxFrames ignored, one more is a flood. PRIORITY is never counted.
  for (let i = 0; i < 10; i++) assert.equal(rr.onFrame(7, E.RECV_PRIORITY), null);
  assert.equal(rr.onFrame(7, E.RECV_HEADERS), null);
  assert.equal(rr.onFrame(7, E.RECV_WINDOW_UPDATE), null);
  assert.equal(rr.onFrame(7, E.RECV_RST), null);
  assertH2Error(rr.onFrame(7, E.RECV_HEADERS), H2Code.ENHANCE_YOUR_CALM, 'connection', 7);
});

test('RecentlyReset: a closed stream not in the ring: WINDOW_UPDATE/RST/PRIORITY ignored, DATA/HEADERS STREAM_CLOSED', () => {
  const rr = new RecentlyReset({ capacity: 2 });
  for (const ev of [E.RECV_WINDOW_UPDATE, E.RECV_RST, E.RECV_PRIORITY]) assert.equal(rr.onFrame(9, ev), null);
  assertH2Error(rr.onFrame(9, E.RECV_DATA, 10), H2Code.STREAM_CLOSED, 'connection', 9);
  assertH2Error(rr.onFrame(9, E.RECV_HEADERS), H2Code.STREAM_CLOSED, 'connection', 9);
  // The ring keeps the last `capacity` resets: the oldest falls out, and its grace with it.
  rr.add(1, 100);
  rr.add(3, 100);
  rr.add(5, 100);
  assert.ok(!rr.has(1));
  assert.ok(rr.has(3) && rr.has(5));
  assertH2Error(rr.onFrame(1, E.RECV_DATA, 10), H2Code.STREAM_CLOSED, 'connection', 1);
  assert.equal(rr.onFrame(3, E.RECV_DATA, 10), null);
  // A re-used slot starts with fresh counters.
  rr.add(7, 50);
  assert.ok(!rr.has(3));
  assert.equal(rr.onFrame(7, E.RECV_DATA, 50), null);
  assert.equal(new RecentlyReset().capacity, 64);
});
