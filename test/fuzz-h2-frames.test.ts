// Property-based fuzzing of the HTTP/2 frame layer (src/h2/frames) with fast-check:
// - random valid frame sequences (writer frames, plus padded DATA, PRIORITY and unknown types
//   hand-built) read back, under random splits, as exactly the frames written;
// - mutations of valid streams (flipped, set, inserted, deleted octets, truncation) and raw
//   garbage: the reader either reports frames or throws the stable H2FrameError (ERR_PROTOCOL
//   with an RFC 9113 §7 code), never anything else; the outcome does not depend on how the
//   octets were split; and it never holds more than one frame plus one field block;
// - chunks that are views of one read buffer overwritten after every feed(): the reader keeps
//   no view of a chunk past the call (what it holds across chunks, it copied).
//
// Run counts: HTTPOOL_FUZZ_RUNS (default small, for `npm test`); HTTPOOL_FUZZ_SEED and
// HTTPOOL_FUZZ_PATH replay a failure (fast-check prints both). Long run:
//   HTTPOOL_FUZZ_RUNS=20000 npm run fuzz
// Every loop in the reader is bounded by the input, so no watchdog worker as for the h1 parser.

import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_MAX_HEADER_BLOCK_BYTES,
  Flag,
  FrameType,
  H2Code,
  H2FrameError,
  Setting,
  writeFrame,
} from '../src/h2/frames/index.js';
import { fcParams, fuzzRuns, fuzzSeed } from './support/fuzz/settings.js';
import { expectedEvents, readSplit, writeSpecs, type FrameEvent, type FrameSpec, type ReadOutcome } from './support/h2-frames.js';

/** Never more than one frame (header + payload) and one field block held at once. */
const BOUND = 9 + DEFAULT_MAX_FRAME_SIZE + DEFAULT_MAX_HEADER_BLOCK_BYTES;
const CODES = new Set<number>([H2Code.PROTOCOL_ERROR, H2Code.FLOW_CONTROL_ERROR, H2Code.FRAME_SIZE_ERROR, H2Code.ENHANCE_YOUR_CALM]);

interface Piece {
  wire: Buffer;
  events: FrameEvent[];
}

const sid = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 0x7fffffff }));
const octets = (max: number) => fc.uint8Array({ maxLength: max });

const settingParam = fc.oneof(
  fc.tuple(fc.constant(Setting.HEADER_TABLE_SIZE), fc.nat({ max: 0xffffffff })),
  fc.tuple(fc.constant(Setting.ENABLE_PUSH), fc.constant(0)),
  fc.tuple(fc.constant(Setting.MAX_CONCURRENT_STREAMS), fc.nat({ max: 0xffffffff })),
  fc.tuple(fc.constant(Setting.INITIAL_WINDOW_SIZE), fc.nat({ max: 0x7fffffff })),
  fc.tuple(fc.constant(Setting.MAX_FRAME_SIZE), fc.integer({ min: 16384, max: 0xffffff })),
  fc.tuple(fc.integer({ min: 10, max: 0xffff }), fc.nat({ max: 0xffffffff })),
);

const spec: fc.Arbitrary<FrameSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('data' as const), sid, data: octets(300), end: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('headers' as const), sid, block: octets(200), end: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('headers' as const),
      sid,
      block: fc.integer({ min: 16385, max: 40000 }).map((n) => Uint8Array.from({ length: n }, (_, i) => i & 0xff)),
      end: fc.boolean(),
    }),
  },
  fc.record({ t: fc.constant('rst' as const), sid, code: fc.nat({ max: 0xffffffff }) }),
  fc.record({ t: fc.constant('settings' as const), params: fc.array(settingParam, { maxLength: 6 }).map((ps) => ps.flat()) }),
  fc.constant({ t: 'settingsAck' as const }),
  fc.record({ t: fc.constant('ping' as const), data: fc.uint8Array({ minLength: 8, maxLength: 8 }), ack: fc.boolean() }),
  fc.record({ t: fc.constant('goaway' as const), last: fc.nat({ max: 0x7fffffff }), code: fc.nat({ max: 0xffffffff }), debug: octets(50) }),
  fc.record({ t: fc.constant('window' as const), sid: fc.oneof(fc.constant(0), sid), inc: fc.integer({ min: 1, max: 0x7fffffff }) }),
);

function raw(type: number, flags: number, id: number, payload: Uint8Array): Buffer {
  const b = Buffer.alloc(9 + payload.length);
  writeFrame(b, 0, type, flags, id, payload);
  return b;
}

/** Valid frames the writer does not make: padded DATA, PRIORITY, unknown types. */
const hand: fc.Arbitrary<Piece> = fc.oneof(
  fc.record({ id: sid, data: octets(100), pad: fc.nat({ max: 255 }), end: fc.boolean() }).map(({ id, data, pad, end }): Piece => {
    const payload = new Uint8Array(1 + data.length + pad);
    payload[0] = pad;
    payload.set(data, 1);
    return {
      wire: raw(FrameType.DATA, Flag.PADDED | (end ? Flag.END_STREAM : 0), id, payload),
      events: [{ t: 'data', sid: id, data: Buffer.from(data).toString('hex'), end, flow: payload.length }],
    };
  }),
  fc.record({ id: sid, body: fc.uint8Array({ minLength: 5, maxLength: 5 }) }).map(({ id, body }): Piece => ({ wire: raw(FrameType.PRIORITY, 0, id, body), events: [] })),
  fc.record({ type: fc.integer({ min: 0x0a, max: 0xff }), flags: fc.nat({ max: 255 }), id: fc.nat({ max: 0x7fffffff }), body: octets(400) }).map(({ type, flags, id, body }): Piece => ({
    wire: raw(type, flags, id, body),
    events: [],
  })),
);

const piece: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 4, arbitrary: spec.map((s) => ({ wire: writeSpecs([s]), events: expectedEvents([s]) })) },
  { weight: 1, arbitrary: hand },
);

const stream = fc.array(piece, { minLength: 1, maxLength: 12 }).map((ps) => ({
  wire: Buffer.concat(ps.map((p) => p.wire)),
  events: ps.flatMap((p) => p.events),
}));

/** Sorted distinct cut offsets for a wire of `len` octets. */
function cutsFor(len: number): fc.Arbitrary<number[]> {
  if (len < 2) return fc.constant([]);
  return fc.uniqueArray(fc.integer({ min: 1, max: len - 1 }), { maxLength: 20 }).map((c) => c.sort((a, b) => a - b));
}

const withCuts = <T extends { wire: Buffer }>(arb: fc.Arbitrary<T>) => arb.chain((s) => cutsFor(s.wire.length).map((cuts) => ({ ...s, cuts })));

function assertSane(o: ReadOutcome, what: string): void {
  if (o.foreign !== undefined) assert.fail(`${what}: a non-H2FrameError escaped: ${(o.foreign as Error)?.stack ?? String(o.foreign)}`);
  if (o.error !== null) {
    assert.equal(o.error.code, 'ERR_PROTOCOL', what);
    assert.equal(o.error.scope, 'connection', what);
    assert.ok(CODES.has(o.error.h2Code), `${what}: unexpected h2Code ${o.error.h2Code}`);
  }
  for (const e of o.events) if (e.t === 'streamError') assert.ok(CODES.has(e.h2Code), `${what}: stream error ${e.h2Code}`);
  assert.ok(o.maxBuffered <= BOUND, `${what}: held ${o.maxBuffered} octets`);
}

test('fuzz: valid frame sequences read back exactly, whatever the split', () => {
  fc.assert(
    fc.property(withCuts(stream), ({ wire, events, cuts }) => {
      const o = readSplit(wire, cuts);
      assertSane(o, 'valid');
      assert.equal(o.error, null, o.error?.message);
      assert.deepEqual(o.events, events);
      assert.ok(o.idle);
    }),
    fcParams(fuzzRuns(150), fuzzSeed()),
  );
});

test('fuzz: chunks from one reused read buffer, overwritten after each feed(): the reader keeps nothing it does not own', () => {
  // DATA ranges point into the fed chunk, which the Recorder reads during the call; a reader
  // that kept a view of a chunk for a split header, payload or field block reads 0xa5 later.
  fc.assert(
    fc.property(withCuts(stream), ({ wire, events, cuts }) => {
      const o = readSplit(wire, cuts, undefined, true);
      assertSane(o, 'reused');
      assert.equal(o.error, null, o.error?.message);
      assert.deepEqual(o.events, events);
    }),
    fcParams(fuzzRuns(100), fuzzSeed()),
  );
});

type Mutation =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'set'; at: number; v: number }
  | { k: 'insert'; at: number; bytes: Uint8Array }
  | { k: 'delete'; at: number; n: number }
  | { k: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ k: fc.constant('set' as const), at: fc.nat(), v: fc.nat({ max: 255 }) }),
  fc.record({ k: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ k: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ k: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(wire: Buffer, ms: readonly Mutation[]): Buffer {
  let b = Buffer.from(wire);
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.k) {
      case 'flip':
        b[at]! ^= 1 << m.bit;
        break;
      case 'set':
        b[at] = m.v;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.n)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

/** Same frames and the same error (or none) whole and split: the split must not matter. */
function assertSplitInvariant(wire: Buffer, cuts: number[], what: string): void {
  const whole = readSplit(wire);
  const split = readSplit(wire, cuts);
  assertSane(whole, `${what} whole`);
  assertSane(split, `${what} split`);
  assert.deepEqual(split.events, whole.events, `${what}: frames differ by split ${JSON.stringify(cuts)}`);
  assert.equal(split.error?.h2Code, whole.error?.h2Code, `${what}: error differs by split: ${split.error?.message} / ${whole.error?.message}`);
}

test('fuzz: mutated streams yield frames or the stable error, the same under any split, memory bounded', () => {
  const mutated = fc
    .tuple(stream, fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([s, ms]) => ({ wire: mutate(s.wire, ms), ms }));
  fc.assert(
    fc.property(withCuts(mutated), ({ wire, cuts }) => assertSplitInvariant(wire, cuts, 'mutated')),
    fcParams(fuzzRuns(300), fuzzSeed()),
  );
});

test('fuzz: garbage and header-shaped garbage never escape as anything but H2FrameError', () => {
  // Frame headers with random fields over short random payloads reach deeper than pure noise.
  const headerish = fc
    .array(
      fc.record({ type: fc.nat({ max: 12 }), flags: fc.nat({ max: 255 }), id: fc.nat({ max: 5 }), body: octets(30) }).map(({ type, flags, id, body }) => raw(type, flags, id, body)),
      { minLength: 1, maxLength: 8 },
    )
    .map((fs) => ({ wire: Buffer.concat(fs) }));
  const noise = fc.uint8Array({ maxLength: 400 }).map((u) => ({ wire: Buffer.from(u) }));
  fc.assert(
    fc.property(withCuts(fc.oneof(headerish, noise)), ({ wire, cuts }) => assertSplitInvariant(wire, cuts, 'garbage')),
    fcParams(fuzzRuns(400), fuzzSeed()),
  );
  // The reader must also refuse, not hold, a frame header announcing a huge payload.
  const huge = Buffer.alloc(9);
  huge.writeUIntBE(0xffffff, 0, 3);
  const o = readSplit(huge);
  assert.ok(o.error instanceof H2FrameError && o.error.h2Code === H2Code.FRAME_SIZE_ERROR);
});
