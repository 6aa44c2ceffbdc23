// The HTTP/2 frame layer (src/h2/frames): every frame type written by the writer and read back
// under every split of its octets; each frame-level check of RFC 9113 §4-§6 with the exact error
// (h2Code, connection or stream); the CONTINUATION flood refused at its bound with memory
// bounded; zero-copy DATA views; FrameBuffer batching. Peers: test/h2-frames-interop.test.ts.

import test from 'node:test';
import assert from 'node:assert/strict';
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_CONTINUATION_FRAMES,
  DEFAULT_MAX_HEADER_BLOCK_BYTES,
  Flag,
  FrameBuffer,
  FrameReader,
  FrameType,
  H2Code,
  H2FrameError,
  headersSize,
  Setting,
  writeFrame,
  writeHeaders,
  writePing,
  writePriority,
  writeWindowUpdate,
} from '../src/h2/frames/index.js';
import { expectedEvents, readBytewise, readSplit, Recorder, writeSpecs, type FrameEvent, type FrameSpec } from './support/h2-frames.js';

function frame(type: number, flags: number, sid: number, payload: Uint8Array | number[] = []): Buffer {
  const p = Uint8Array.from(payload);
  const out = Buffer.alloc(9 + p.length);
  writeFrame(out, 0, type, flags, sid, p);
  return out;
}

const u32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const setting = (id: number, v: number): number[] => [id >> 8, id & 0xff, ...u32(v)];
const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** Every 2-way split, plus octet by octet. */
function assertEverySplit(wire: Buffer, expected: FrameEvent[], what: string): void {
  const whole = readSplit(wire);
  assert.equal(whole.error, null, `${what}: ${whole.error?.message}`);
  assert.deepEqual(whole.events, expected, `${what}: whole`);
  assert.ok(whole.idle, `${what}: idle after the last frame`);
  for (let i = 1; i < wire.length; i++) {
    const o = readSplit(wire, [i]);
    assert.equal(o.error, null, `${what} split at ${i}: ${o.error?.message}`);
    assert.deepEqual(o.events, expected, `${what}: split at ${i}`);
  }
  const b = readBytewise(wire);
  assert.deepEqual(b.events, expected, `${what}: octet by octet`);
  assert.ok(b.idle);
}

const SPECS: Array<[string, FrameSpec[]]> = [
  ['DATA', [{ t: 'data', sid: 1, data: bytes(40), end: false }]],
  ['DATA END_STREAM, empty', [{ t: 'data', sid: 3, data: new Uint8Array(0), end: true }]],
  ['HEADERS END_STREAM', [{ t: 'headers', sid: 1, block: Uint8Array.of(0x82, 0x86, 0x84), end: true }]],
  ['HEADERS without END_STREAM, empty block', [{ t: 'headers', sid: 0x7fffffff, block: new Uint8Array(0), end: false }]],
  ['RST_STREAM', [{ t: 'rst', sid: 5, code: H2Code.CANCEL }]],
  ['SETTINGS', [{ t: 'settings', params: [Setting.ENABLE_PUSH, 0, Setting.INITIAL_WINDOW_SIZE, 0x7fffffff, Setting.MAX_FRAME_SIZE, 16384, 0xabcd, 0xffffffff] }]],
  ['SETTINGS empty', [{ t: 'settings', params: [] }]],
  ['SETTINGS ACK', [{ t: 'settingsAck' }]],
  ['PING', [{ t: 'ping', data: bytes(8), ack: false }]],
  ['PING ACK', [{ t: 'ping', data: bytes(8, 7), ack: true }]],
  ['GOAWAY', [{ t: 'goaway', last: 7, code: H2Code.ENHANCE_YOUR_CALM, debug: Buffer.from('calm down') }]],
  ['GOAWAY no debug, unknown code', [{ t: 'goaway', last: 0, code: 0xdeadbeef, debug: new Uint8Array(0) }]],
  ['WINDOW_UPDATE connection', [{ t: 'window', sid: 0, inc: 0x7fffffff }]],
  ['WINDOW_UPDATE stream', [{ t: 'window', sid: 9, inc: 1 }]],
];

for (const [name, specs] of SPECS) {
  test(`round trip, every split: ${name}`, () => {
    assertEverySplit(writeSpecs(specs), expectedEvents(specs), name);
  });
}

test('round trip, every split: a sequence of every frame type, with HEADERS split into CONTINUATIONs', () => {
  const specs: FrameSpec[] = SPECS.flatMap(([, s]) => s);
  specs.push({ t: 'headers', sid: 11, block: bytes(2 * 16384 + 100), end: true });
  specs.push({ t: 'data', sid: 11, data: bytes(300), end: true });
  const wire = writeSpecs(specs);
  // HEADERS of 32868 octets at 16384: HEADERS + 2 CONTINUATION.
  assert.equal(headersSize(2 * 16384 + 100), 3 * 9 + 2 * 16384 + 100);
  const expected = expectedEvents(specs);
  const o = readSplit(wire);
  assert.deepEqual(o.events, expected);
  for (let i = 1; i < wire.length; i += 97) assert.deepEqual(readSplit(wire, [i]).events, expected, `split at ${i}`);
  for (let i = 1; i < wire.length; i += 1013) for (let j = i + 1; j < wire.length; j += 1777) assert.deepEqual(readSplit(wire, [i, j]).events, expected, `split at ${i}, ${j}`);
  assert.deepEqual(readBytewise(wire).events, expected, 'octet by octet');
});

test('HEADERS + CONTINUATION: END_STREAM from HEADERS, END_HEADERS on the last, frames at the given size', () => {
  const block = bytes(40000);
  const wire = Buffer.alloc(headersSize(block.length, 16384));
  assert.equal(writeHeaders(wire, 0, 3, block, true, 16384), wire.length);
  // HEADERS flags END_STREAM only; CONTINUATION 0; last CONTINUATION END_HEADERS.
  assert.deepEqual([wire[3], wire[4]], [FrameType.HEADERS, Flag.END_STREAM]);
  const second = 9 + 16384;
  assert.deepEqual([wire[second + 3], wire[second + 4]], [FrameType.CONTINUATION, 0]);
  const third = second + 9 + 16384;
  assert.deepEqual([wire[third + 3], wire[third + 4]], [FrameType.CONTINUATION, Flag.END_HEADERS]);
  assert.deepEqual(readSplit(wire).events, [{ t: 'headers', sid: 3, block: Buffer.from(block).toString('hex'), end: true }]);
});

test('padding and priority fields are stripped from DATA and HEADERS; flowLength counts the padding', () => {
  const data = frame(FrameType.DATA, Flag.PADDED | Flag.END_STREAM, 1, [3, 0xaa, 0xbb, 0, 0, 0]);
  const headers = frame(FrameType.HEADERS, Flag.PADDED | Flag.PRIORITY | Flag.END_HEADERS, 3, [2, 0x80, 0, 0, 1, 15, 0x82, 0x84, 0, 0]);
  const prioOnly = frame(FrameType.HEADERS, Flag.PRIORITY | Flag.END_HEADERS | Flag.END_STREAM, 5, [0, 0, 0, 3, 200, 0x86]);
  const padAll = frame(FrameType.DATA, Flag.PADDED, 7, [4, 0, 0, 0, 0]);
  const cont = Buffer.concat([
    frame(FrameType.HEADERS, Flag.PADDED, 9, [1, 0x82, 0]),
    frame(FrameType.CONTINUATION, Flag.END_HEADERS, 9, [0x84]),
  ]);
  assertEverySplit(Buffer.concat([data, headers, prioOnly, padAll, cont]), [
    { t: 'data', sid: 1, data: 'aabb', end: true, flow: 6 },
    { t: 'headers', sid: 3, block: '8284', end: false },
    { t: 'headers', sid: 5, block: '86', end: true },
    { t: 'data', sid: 7, data: '', end: false, flow: 5 },
    { t: 'headers', sid: 9, block: '8284', end: false },
  ], 'padded');
});

test('PRIORITY is parsed and ignored; unknown frame types and unknown flags are ignored (§4.1, §5.5)', () => {
  const prio = Buffer.alloc(14);
  writePriority(prio, 0, 3, 1, true, 255);
  const wire = Buffer.concat([
    prio,
    frame(0xfa, 0xff, 0, bytes(100)),
    frame(0x0a, 0, 5, []),
    frame(FrameType.PING, 0xfe, 0, bytes(8)),
    frame(FrameType.SETTINGS, 0xfe, 0, []),
  ]);
  assertEverySplit(wire, [
    { t: 'ping', data: Buffer.from(bytes(8)).toString('hex'), ack: false },
    { t: 'settings', params: [] },
  ], 'ignored');
});

test('an unknown frame split across chunks is skipped, not stored', () => {
  const wire = Buffer.concat([frame(0xee, 0, 1, bytes(16000)), frame(FrameType.SETTINGS, Flag.ACK, 0)]);
  const o = readSplit(wire, [20, 5000, 9000]);
  assert.deepEqual(o.events, [{ t: 'settingsAck' }]);
  assert.ok(o.maxBuffered <= 9, `held ${o.maxBuffered} octets of an unknown frame`);
});

test('reserved bit of stream ids and increments is ignored (§4.1, §6.9)', () => {
  const data = frame(FrameType.DATA, 0, 1, [1]);
  data[5] |= 0x80;
  const wu = frame(FrameType.WINDOW_UPDATE, 0, 0, u32(0x80000001));
  const ga = frame(FrameType.GOAWAY, 0, 0, [...u32(0x80000005), ...u32(0)]);
  assert.deepEqual(readSplit(Buffer.concat([data, wu, ga])).events, [
    { t: 'data', sid: 1, data: '01', end: false, flow: 1 },
    { t: 'window', sid: 0, inc: 1 },
    { t: 'goaway', last: 5, code: 0, debug: '' },
  ]);
});

test('DATA whole in the fed chunk is a view into it (zero copy); split DATA gets a buffer of its own', () => {
  const wire = writeSpecs([
    { t: 'data', sid: 1, data: bytes(1000), end: false },
    { t: 'data', sid: 1, data: bytes(1000, 2), end: true },
  ]);
  const rec = new Recorder();
  const r = new FrameReader(rec);
  const first = wire.subarray(0, 1500);
  r.feed(first);
  r.feed(wire.subarray(1500));
  const [a, b] = rec.dataViews as [Buffer, Buffer];
  assert.equal(a.buffer, first.buffer);
  assert.equal(a.byteOffset, first.byteOffset + 9);
  assert.deepEqual(b, Buffer.from(bytes(1000, 2)));
  wire.fill(0);
  assert.deepEqual(b, Buffer.from(bytes(1000, 2)), 'split DATA is a copy, not a view of the input');
  // The split one's buffer is not reused by later frames: it may be kept.
  const keep = Buffer.from(b);
  r.feed(writeSpecs([{ t: 'data', sid: 3, data: bytes(600, 9), end: false }]).subarray(0, 300));
  assert.deepEqual(b, keep);
});

test('a single header block frame is a view; a split field block is assembled', () => {
  const wire = Buffer.concat([
    frame(FrameType.HEADERS, 0, 1, [1, 2]),
    frame(FrameType.CONTINUATION, 0, 1, [3]),
    frame(FrameType.CONTINUATION, 0, 1, []),
    frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, [4, 5]),
    frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 3, [6]),
  ]);
  assertEverySplit(wire, [
    { t: 'headers', sid: 1, block: '0102030405', end: false },
    { t: 'headers', sid: 3, block: '06', end: true },
  ], 'continuations');
});

interface Bad {
  name: string;
  wire: Buffer;
  scope: 'connection' | 'stream';
  code: number;
  opts?: ConstructorParameters<typeof FrameReader>[1];
}

const P = H2Code.PROTOCOL_ERROR;
const F = H2Code.FRAME_SIZE_ERROR;
const HB = (sid: number, end = false) => frame(FrameType.HEADERS, end ? Flag.END_HEADERS : 0, sid, [0x82]);

const BAD: Bad[] = [
  { name: 'frame over SETTINGS_MAX_FRAME_SIZE (DATA)', wire: frame(FrameType.DATA, 0, 1, new Uint8Array(16385)), scope: 'connection', code: F },
  { name: 'frame over SETTINGS_MAX_FRAME_SIZE (unknown type)', wire: frame(0x42, 0, 1, new Uint8Array(16385)), scope: 'connection', code: F },
  { name: 'DATA on stream 0', wire: frame(FrameType.DATA, 0, 0, [1]), scope: 'connection', code: P },
  { name: 'DATA padding = payload', wire: frame(FrameType.DATA, Flag.PADDED, 1, [2, 0]), scope: 'connection', code: P },
  { name: 'DATA padding > payload', wire: frame(FrameType.DATA, Flag.PADDED, 1, [200, 0, 0]), scope: 'connection', code: P },
  { name: 'DATA PADDED with no Pad Length octet', wire: frame(FrameType.DATA, Flag.PADDED, 1, []), scope: 'connection', code: F },
  { name: 'HEADERS on stream 0', wire: frame(FrameType.HEADERS, Flag.END_HEADERS, 0, [0x82]), scope: 'connection', code: P },
  { name: 'HEADERS padding over the fragment', wire: frame(FrameType.HEADERS, Flag.PADDED | Flag.END_HEADERS, 1, [2, 0x82]), scope: 'connection', code: P },
  { name: 'HEADERS padding eats the priority fields', wire: frame(FrameType.HEADERS, Flag.PADDED | Flag.PRIORITY | Flag.END_HEADERS, 1, [2, 0, 0, 0, 0, 16]), scope: 'connection', code: P },
  { name: 'HEADERS PRIORITY too short', wire: frame(FrameType.HEADERS, Flag.PRIORITY | Flag.END_HEADERS, 1, [0, 0, 0]), scope: 'connection', code: F },
  { name: 'PRIORITY on stream 0', wire: frame(FrameType.PRIORITY, 0, 0, [0, 0, 0, 1, 16]), scope: 'connection', code: P },
  { name: 'PRIORITY of 4 octets', wire: frame(FrameType.PRIORITY, 0, 3, [0, 0, 0, 1]), scope: 'stream', code: F },
  { name: 'PRIORITY of 6 octets', wire: frame(FrameType.PRIORITY, 0, 3, [0, 0, 0, 1, 16, 0]), scope: 'stream', code: F },
  { name: 'RST_STREAM on stream 0', wire: frame(FrameType.RST_STREAM, 0, 0, u32(0)), scope: 'connection', code: P },
  { name: 'RST_STREAM of 3 octets', wire: frame(FrameType.RST_STREAM, 0, 1, [0, 0, 0]), scope: 'connection', code: F },
  { name: 'RST_STREAM of 5 octets', wire: frame(FrameType.RST_STREAM, 0, 1, [0, 0, 0, 0, 0]), scope: 'connection', code: F },
  { name: 'SETTINGS on a stream', wire: frame(FrameType.SETTINGS, 0, 1, []), scope: 'connection', code: P },
  { name: 'SETTINGS of 5 octets', wire: frame(FrameType.SETTINGS, 0, 0, [0, 1, 0, 0, 0]), scope: 'connection', code: F },
  { name: 'SETTINGS of 7 octets', wire: frame(FrameType.SETTINGS, 0, 0, [...setting(1, 0), 0]), scope: 'connection', code: F },
  { name: 'SETTINGS ACK with payload', wire: frame(FrameType.SETTINGS, Flag.ACK, 0, setting(1, 0)), scope: 'connection', code: F },
  { name: 'SETTINGS_ENABLE_PUSH 2', wire: frame(FrameType.SETTINGS, 0, 0, setting(Setting.ENABLE_PUSH, 2)), scope: 'connection', code: P },
  { name: 'SETTINGS_ENABLE_PUSH 1 from a server', wire: frame(FrameType.SETTINGS, 0, 0, setting(Setting.ENABLE_PUSH, 1)), scope: 'connection', code: P },
  { name: 'SETTINGS_INITIAL_WINDOW_SIZE 2^31', wire: frame(FrameType.SETTINGS, 0, 0, setting(Setting.INITIAL_WINDOW_SIZE, 2 ** 31)), scope: 'connection', code: H2Code.FLOW_CONTROL_ERROR },
  { name: 'SETTINGS_MAX_FRAME_SIZE 16383', wire: frame(FrameType.SETTINGS, 0, 0, setting(Setting.MAX_FRAME_SIZE, 16383)), scope: 'connection', code: P },
  { name: 'SETTINGS_MAX_FRAME_SIZE 2^24', wire: frame(FrameType.SETTINGS, 0, 0, setting(Setting.MAX_FRAME_SIZE, 2 ** 24)), scope: 'connection', code: P },
  { name: 'PUSH_PROMISE (push disabled)', wire: frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, [...u32(2), 0x82]), scope: 'connection', code: P },
  { name: 'PUSH_PROMISE on stream 0', wire: frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 0, [...u32(2), 0x82]), scope: 'connection', code: P },
  { name: 'PUSH_PROMISE too short (push allowed)', wire: frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, [0, 0, 2]), scope: 'connection', code: F, opts: { allowPush: true } },
  { name: 'PING on a stream', wire: frame(FrameType.PING, 0, 1, bytes(8)), scope: 'connection', code: P },
  { name: 'PING of 7 octets', wire: frame(FrameType.PING, 0, 0, bytes(7)), scope: 'connection', code: F },
  { name: 'PING ACK of 9 octets', wire: frame(FrameType.PING, Flag.ACK, 0, bytes(9)), scope: 'connection', code: F },
  { name: 'GOAWAY on a stream', wire: frame(FrameType.GOAWAY, 0, 1, bytes(8)), scope: 'connection', code: P },
  { name: 'GOAWAY of 7 octets', wire: frame(FrameType.GOAWAY, 0, 0, bytes(7)), scope: 'connection', code: F },
  { name: 'WINDOW_UPDATE of 3 octets', wire: frame(FrameType.WINDOW_UPDATE, 0, 1, [0, 0, 1]), scope: 'connection', code: F },
  { name: 'WINDOW_UPDATE of 5 octets on the connection', wire: frame(FrameType.WINDOW_UPDATE, 0, 0, [0, 0, 0, 1, 0]), scope: 'connection', code: F },
  { name: 'WINDOW_UPDATE 0 on the connection', wire: frame(FrameType.WINDOW_UPDATE, 0, 0, u32(0)), scope: 'connection', code: P },
  { name: 'WINDOW_UPDATE 0 on a stream', wire: frame(FrameType.WINDOW_UPDATE, 0, 5, u32(0)), scope: 'stream', code: P },
  { name: 'WINDOW_UPDATE 0 on a stream (reserved bit set)', wire: frame(FrameType.WINDOW_UPDATE, 0, 5, u32(0x80000000)), scope: 'stream', code: P },
  { name: 'CONTINUATION first', wire: frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, [0x82]), scope: 'connection', code: P },
  { name: 'CONTINUATION after a complete HEADERS', wire: Buffer.concat([HB(1, true), frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, [0x82])]), scope: 'connection', code: P },
  { name: 'CONTINUATION on another stream', wire: Buffer.concat([HB(1), frame(FrameType.CONTINUATION, Flag.END_HEADERS, 3, [0x82])]), scope: 'connection', code: P },
  { name: 'CONTINUATION on stream 0', wire: Buffer.concat([HB(1), frame(FrameType.CONTINUATION, Flag.END_HEADERS, 0, [0x82])]), scope: 'connection', code: P },
  { name: 'DATA inside a field block', wire: Buffer.concat([HB(1), frame(FrameType.DATA, 0, 1, [1])]), scope: 'connection', code: P },
  { name: 'PING inside a field block', wire: Buffer.concat([HB(1), frame(FrameType.PING, 0, 0, bytes(8))]), scope: 'connection', code: P },
  { name: 'HEADERS inside a field block', wire: Buffer.concat([HB(1), HB(3, true)]), scope: 'connection', code: P },
  { name: 'unknown type inside a field block', wire: Buffer.concat([HB(1), frame(0x20, 0, 1, [])]), scope: 'connection', code: P },
  { name: 'PUSH_PROMISE CONTINUATION on the pushed stream', wire: Buffer.concat([frame(FrameType.PUSH_PROMISE, 0, 1, [...u32(2), 0x82]), frame(FrameType.CONTINUATION, Flag.END_HEADERS, 2, [])]), scope: 'connection', code: P, opts: { allowPush: true } },
  { name: 'field block over maxHeaderBlockBytes', wire: Buffer.concat([HB(1), frame(FrameType.CONTINUATION, 0, 1, bytes(100)), frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, bytes(100))]), scope: 'connection', code: H2Code.ENHANCE_YOUR_CALM, opts: { maxHeaderBlockBytes: 150 } },
  { name: 'single HEADERS over maxHeaderBlockBytes', wire: frame(FrameType.HEADERS, Flag.END_HEADERS, 1, bytes(151)), scope: 'connection', code: H2Code.ENHANCE_YOUR_CALM, opts: { maxHeaderBlockBytes: 150 } },
  { name: 'too many CONTINUATION frames', wire: Buffer.concat([HB(1), frame(FrameType.CONTINUATION, 0, 1, []), frame(FrameType.CONTINUATION, 0, 1, []), frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, [])]), scope: 'connection', code: H2Code.ENHANCE_YOUR_CALM, opts: { maxContinuationFrames: 2 } },
  { name: 'serverPreface: DATA before SETTINGS', wire: frame(FrameType.DATA, 0, 1, [1]), scope: 'connection', code: P, opts: { serverPreface: true } },
  { name: 'serverPreface: SETTINGS ACK first', wire: frame(FrameType.SETTINGS, Flag.ACK, 0), scope: 'connection', code: P, opts: { serverPreface: true } },
  { name: 'serverPreface: unknown type first', wire: frame(0x30, 0, 0), scope: 'connection', code: P, opts: { serverPreface: true } },
];

test('serverPreface: the server SETTINGS first, then anything (§3.4)', () => {
  const wire = Buffer.concat([frame(FrameType.SETTINGS, 0, 0), frame(FrameType.SETTINGS, Flag.ACK, 0), frame(FrameType.PING, 0, 0, bytes(8))]);
  for (const cuts of [[], [3], [9, 12]]) {
    const o = readSplit(wire, cuts, { serverPreface: true });
    assert.equal(o.error, null);
    assert.deepEqual(o.events.map((e) => e.t), ['settings', 'settingsAck', 'ping']);
  }
});

test('frame-level checks: the exact error for each (table)', () => {
  const after = frame(FrameType.PING, 0, 0, bytes(8));
  for (const c of BAD) {
    for (const cuts of [[], [1], [c.wire.length - 1], [9, 10]]) {
      const o = readSplit(Buffer.concat([c.wire, after]), cuts.filter((x) => x > 0 && x < c.wire.length), c.opts);
      assert.equal(o.foreign, undefined, `${c.name}: ${String(o.foreign)}`);
      if (c.scope === 'connection') {
        assert.ok(o.error instanceof H2FrameError, `${c.name}: accepted: ${JSON.stringify(o.events)}`);
        assert.equal(o.error.code, 'ERR_PROTOCOL', c.name);
        assert.equal(o.error.scope, 'connection', c.name);
        assert.equal(o.error.h2Code, c.code, `${c.name}: ${o.error.message}`);
        assert.ok(!o.events.some((e) => e.t === 'ping'), `${c.name}: read on after a connection error`);
      } else {
        assert.equal(o.error, null, `${c.name}: ${o.error?.message}`);
        const errs = o.events.filter((e) => e.t === 'streamError');
        assert.equal(errs.length, 1, `${c.name}: ${JSON.stringify(o.events)}`);
        assert.equal((errs[0] as { h2Code: number }).h2Code, c.code, c.name);
        assert.equal(o.events.at(-1)?.t, 'ping', `${c.name}: reading goes on after a stream error`);
      }
    }
  }
});

test('a connection error is sticky; a non-frame error from the handler is too', () => {
  const r = new FrameReader(new Recorder());
  assert.throws(() => r.feed(frame(FrameType.DATA, 0, 0, [1])), H2FrameError);
  assert.throws(() => r.feed(frame(FrameType.SETTINGS, Flag.ACK, 0)), (e: unknown) => e instanceof H2FrameError && e.h2Code === H2Code.PROTOCOL_ERROR);
  const boom = new Error('handler');
  const h = new Recorder();
  h.onSettingsAck = () => {
    throw boom;
  };
  const r2 = new FrameReader(h);
  assert.throws(() => r2.feed(frame(FrameType.SETTINGS, Flag.ACK, 0)), boom);
  assert.throws(() => r2.feed(frame(FrameType.SETTINGS, Flag.ACK, 0)), boom);
});

test('the frame size error comes from the header, before any payload octet is stored; setMaxFrameSize raises the bound', () => {
  const big = frame(FrameType.DATA, 0, 1, new Uint8Array(20000));
  const r = new FrameReader(new Recorder());
  assert.throws(() => r.feed(big.subarray(0, 9)), (e: unknown) => e instanceof H2FrameError && e.h2Code === H2Code.FRAME_SIZE_ERROR);
  const rec = new Recorder();
  const r2 = new FrameReader(rec);
  r2.setMaxFrameSize(32768);
  r2.feed(big.subarray(0, 10000));
  assert.ok(r2.buffered <= 9 + 20000);
  r2.feed(big.subarray(10000));
  assert.equal(rec.events.length, 1);
  assert.throws(() => r2.setMaxFrameSize(16383), RangeError);
  assert.throws(() => new FrameReader(rec, { maxFrameSize: 2 ** 24 }), RangeError);
});

test('a max-size frame fed octet by octet holds at most its header and payload', () => {
  const max = 16384;
  const wire = frame(FrameType.HEADERS, Flag.END_HEADERS, 1, bytes(max));
  const o = readBytewise(wire);
  assert.equal(o.error, null);
  assert.ok(o.maxBuffered <= 9 + max, `${o.maxBuffered}`);
  assert.equal(o.events.length, 1);
});

test('CONTINUATION flood (CVE-2024-27316 class): refused at the bound, memory bounded', () => {
  // Empty CONTINUATIONs: the frame count stops them.
  {
    const r = new FrameReader(new Recorder());
    r.feed(HB(1));
    const empty = frame(FrameType.CONTINUATION, 0, 1, []);
    let refused = -1;
    for (let i = 0; i < 100_000; i++) {
      try {
        r.feed(empty);
      } catch (err) {
        assert.ok(err instanceof H2FrameError && err.h2Code === H2Code.ENHANCE_YOUR_CALM && err.scope === 'connection');
        refused = i;
        break;
      }
      assert.ok(r.buffered <= 1);
    }
    assert.equal(refused, DEFAULT_MAX_CONTINUATION_FRAMES, 'refused on the first CONTINUATION over the bound');
  }
  // Full ones, split as a socket would: the byte bound stops them, from the frame header.
  {
    const r = new FrameReader(new Recorder(), { maxContinuationFrames: 1_000_000 });
    r.feed(HB(1));
    const full = frame(FrameType.CONTINUATION, 0, 1, bytes(16384));
    let refused = false;
    let maxHeld = 0;
    let sent = 0;
    for (let i = 0; i < 10_000 && !refused; i++) {
      for (const piece of [full.subarray(0, 5), full.subarray(5, 4000), full.subarray(4000)]) {
        try {
          r.feed(piece);
        } catch (err) {
          assert.ok(err instanceof H2FrameError && err.h2Code === H2Code.ENHANCE_YOUR_CALM);
          refused = true;
          break;
        }
        sent += piece.length;
        maxHeld = Math.max(maxHeld, r.buffered);
      }
    }
    assert.ok(refused);
    assert.ok(maxHeld <= DEFAULT_MAX_HEADER_BLOCK_BYTES + 9 + 16384, `held ${maxHeld}`);
    assert.ok(sent < DEFAULT_MAX_HEADER_BLOCK_BYTES + 2 * (9 + 16384), `read ${sent} octets before refusing`);
  }
  // A small configured bound.
  {
    const r = new FrameReader(new Recorder(), { maxHeaderBlockBytes: 1000, maxContinuationFrames: 1_000_000 });
    r.feed(HB(1));
    const c = frame(FrameType.CONTINUATION, 0, 1, bytes(10));
    let n = 0;
    assert.throws(() => {
      for (; n < 10_000; n++) r.feed(c);
    }, H2FrameError);
    assert.equal(n, 99, '1 + 99 * 10 octets fit in 1000; the 100th CONTINUATION is refused');
  }
});

test('PUSH_PROMISE with allowPush: reported with its promised stream, CONTINUATION assembled', () => {
  const wire = Buffer.concat([
    frame(FrameType.PUSH_PROMISE, Flag.PADDED, 1, [1, ...u32(0x80000002), 0x82, 0]),
    frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, [0x84]),
    frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 3, [...u32(4)]),
  ]);
  const o = readSplit(wire, [], { allowPush: true });
  assert.equal(o.error, null);
  assert.deepEqual(o.events, [
    { t: 'push', sid: 1, promised: 2, block: '8284' },
    { t: 'push', sid: 3, promised: 4, block: '' },
  ]);
});

test('FrameBuffer: batched frames in one Buffer; taken regions are never rewritten', () => {
  const fb = new FrameBuffer(64);
  fb.preface().settings([Setting.ENABLE_PUSH, 0, Setting.INITIAL_WINDOW_SIZE, 1 << 24]).windowUpdate(0, 1 << 24);
  const first = fb.take();
  const copy = Buffer.from(first);
  assert.equal(first.length, 24 + 9 + 12 + 13);
  assert.deepEqual(first.subarray(0, 24), CLIENT_PREFACE);
  fb.headers(1, Uint8Array.of(0x82, 0x86, 0x84), true).ping(bytes(8), false).rstStream(1, H2Code.CANCEL).goAway(0, 0).settingsAck();
  fb.data(3, bytes(100), true).dataHeader(5, 10, false);
  assert.deepEqual(first, copy, 'a taken region is left alone when the buffer moves on');
  const second = fb.take();
  assert.equal(fb.length, 0);
  assert.equal(fb.take().length, 0);
  const o = readSplit(Buffer.concat([first.subarray(24), second.subarray(0, second.length - 9)]));
  assert.equal(o.error, null);
  assert.deepEqual(o.events.map((e) => e.t), ['settings', 'window', 'headers', 'ping', 'rst', 'goaway', 'settingsAck', 'data']);
});

test('writers refuse arguments that would put a connection error on the wire', () => {
  const b = Buffer.alloc(100);
  assert.throws(() => writeWindowUpdate(b, 0, 1, 0), RangeError);
  assert.throws(() => writeWindowUpdate(b, 0, 1, 2 ** 31), RangeError);
  assert.throws(() => writeHeaders(b, 0, 0, new Uint8Array(1), true), RangeError);
  assert.throws(() => writeHeaders(b, 0, 2 ** 31, new Uint8Array(1), true), RangeError);
  assert.throws(() => writePing(b, 0, new Uint8Array(7), false), RangeError);
  assert.throws(() => new FrameBuffer().settings([1]), RangeError);
  assert.throws(() => new FrameBuffer().rstStream(0, 0), RangeError);
  assert.throws(() => new FrameBuffer().goAway(0, 2 ** 32), RangeError);
});

test('FrameBuffer.trim: lets the chunk go only when nothing is pending; taken frames stay intact and later frames still write', () => {
  const fb = new FrameBuffer(64);
  fb.ping(Buffer.alloc(8, 1), false);
  fb.trim(); // pending: kept
  const first = fb.take();
  assert.equal(first.length, 17);
  fb.trim(); // nothing pending: the chunk goes
  fb.ping(Buffer.alloc(8, 2), true);
  const second = fb.take();
  assert.equal(second.length, 17);
  assert.equal(first[4], 0, 'the first PING, not an ACK, unchanged');
  assert.equal(first[9], 1);
  assert.equal(second[4], 1, 'ACK flag');
  assert.equal(second[9], 2);
});

test('FrameBuffer: thousands of frames before one take() grow the buffer by doubling, not one frame at a time', () => {
  const fb = new FrameBuffer(64);
  const t0 = performance.now();
  for (let i = 0; i < 100_000; i++) fb.settingsAck();
  const out = fb.take();
  assert.equal(out.length, 9 * 100_000);
  for (let i = 0; i < 100_000; i += 9973) assert.deepEqual([...out.subarray(i * 9, i * 9 + 9)], [0, 0, 0, 4, 1, 0, 0, 0, 0]);
  // Growth one frame at a time copies ~n²/2 octets (45 GB here): minutes, not this bound.
  assert.ok(performance.now() - t0 < 5_000, 'linear growth');
});
