// Property-based fuzzing of HPACK (src/h2/hpack/) with fast-check, each property in a worker
// under the hang watchdog (test/support/fuzz/worker.ts).
//
// - Round trip: random header lists through one encoder and one decoder over several blocks,
//   with random table sizes, Huffman policies and SETTINGS_HEADER_TABLE_SIZE changes between
//   blocks: every block decodes to its list, the two dynamic tables stay identical, and the
//   never-indexed fields are reported as such.
// - Mutation: valid blocks with bytes flipped, inserted, deleted, truncated, or spliced from
//   other blocks, and pure garbage, decoded under a header-list limit: the decoder returns a
//   list or throws one of its two errors with their stable codes, never anything else; what it
//   returns stays within the limit and its table within the advertised size.
// - Huffman: random octet strings round-trip; random octets either fail as HpackError or decode
//   to a string whose encoding is exactly those octets (the code with all-ones padding of at
//   most 7 bits is canonical). Integers round-trip for every prefix.
//
// Run counts: HTTPOOL_FUZZ_RUNS (default small, for `npm test`); HTTPOOL_FUZZ_SEED and
// HTTPOOL_FUZZ_PATH replay a failure. Long run: HTTPOOL_FUZZ_RUNS=20000 node --test build/test/fuzz-hpack.test.js

import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeInteger,
  defaultNeverIndex,
  encodeInteger,
  HeaderListTooLargeError,
  HpackDecoder,
  HpackEncoder,
  HpackError,
  huffmanDecode,
  huffmanEncode,
  huffmanEncodedLength,
  integerLength,
  maxDecodedLength,
  MAX_INTEGER,
  STATIC_NAMES,
  STATIC_VALUES,
  type HuffmanPolicy,
} from '../src/h2/hpack/index.js';
import { fuzzRuns, noteCase } from './support/fuzz/settings.js';
import { runFuzzProperties, type FuzzProperty } from './support/fuzz/worker.js';

// ---------------------------------------------------------------- generators

const latin1 = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength });
const tokenName = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'.split('')), minLength: 1, maxLength: 24 });
const staticIndex = fc.integer({ min: 1, max: 61 });

/** A field: often from the static table (exact or name only), sometimes sensitive, sometimes long. */
const fieldArb: fc.Arbitrary<[string, string]> = fc.oneof(
  { weight: 3, arbitrary: staticIndex.map((i): [string, string] => [STATIC_NAMES[i]!, STATIC_VALUES[i]!]) },
  { weight: 4, arbitrary: fc.tuple(staticIndex.map((i) => STATIC_NAMES[i]!), latin1(40)) },
  { weight: 4, arbitrary: fc.tuple(tokenName, latin1(40)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('authorization', 'proxy-authorization', 'cookie'), latin1(30)) },
  { weight: 1, arbitrary: fc.tuple(latin1(8), latin1(8)) },
  { weight: 1, arbitrary: fc.tuple(tokenName, latin1(600)) },
);

/** Several blocks sharing fields, as a connection's requests do. */
const blocksArb = fc
  .array(fieldArb, { minLength: 1, maxLength: 12 })
  .chain((pool) => fc.array(fc.array(fc.constantFrom(...pool), { maxLength: 16 }), { minLength: 1, maxLength: 6 }));

const tableSizeArb = fc.oneof(fc.constantFrom(0, 32, 64, 256, 4096), fc.integer({ min: 0, max: 8192 }));
const huffmanArb = fc.constantFrom<HuffmanPolicy>('shorter', 'always', 'never');

const flat = (fields: readonly (readonly [string, string])[]): string[] => fields.flatMap((f) => [f[0], f[1]]);

function tableEntries(t: { length: number; name(i: number): string; value(i: number): string }): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) out.push(t.name(i), t.value(i));
  return out;
}

// ---------------------------------------------------------------- checks

/** Decodes `block`, which may be anything, and checks the outcome is one the decoder may have. */
function decodeAny(dec: HpackDecoder, block: Uint8Array, limit: number, advertised: number): string[] | null {
  noteCase(block);
  let out: string[] = [];
  try {
    out = dec.decode(block, out);
  } catch (e) {
    if (e instanceof HeaderListTooLargeError) {
      assert.equal(e.code, 'ERR_HEADERS_TOO_LARGE');
      assert.equal(e.h2Code, null);
      assert.ok(e.size > limit);
    } else if (e instanceof HpackError) {
      assert.equal(e.code, 'ERR_PROTOCOL');
      assert.equal(e.h2Code, 'COMPRESSION_ERROR');
    } else {
      throw e;
    }
    // Whatever was kept before the error is still within the limit.
    assert.ok(listSize(out) <= limit, `kept ${listSize(out)} octets over the limit ${limit}`);
    return null;
  }
  assert.ok(listSize(out) <= limit, `returned ${listSize(out)} octets over the limit ${limit}`);
  // Once a field decoded, any size update the advertised size required has come (an empty
  // block may leave the table at the protocol's initial 4096 until then).
  if (out.length > 0) assert.ok(dec.table.maxSize <= advertised);
  assert.ok(dec.table.size <= dec.table.maxSize);
  for (const s of out) assert.equal(typeof s, 'string');
  return out;
}

function listSize(out: string[]): number {
  let n = 0;
  for (const s of out) n += s.length;
  return n + (out.length / 2) * 32;
}

const MUTATION = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
);
type Mutation = typeof MUTATION extends fc.Arbitrary<infer M> ? M : never;

function mutate(b: Buffer, m: Mutation): Buffer {
  if (b.length === 0) return m.kind === 'insert' ? Buffer.from(m.bytes) : b;
  const at = m.at % b.length;
  switch (m.kind) {
    case 'flip': {
      const c = Buffer.from(b);
      c[at] = c[at]! ^ (1 << m.bit);
      return c;
    }
    case 'set': {
      const c = Buffer.from(b);
      c[at] = m.byte;
      return c;
    }
    case 'insert':
      return Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    case 'delete':
      return Buffer.concat([b.subarray(0, at), b.subarray(at + m.n)]);
    case 'truncate':
      return b.subarray(0, at);
    case 'duplicate':
      // Repeats a slice: references and literals many times over, the shape of a bomb.
      return Buffer.concat([b.subarray(0, at), ...Array<Buffer>(m.n).fill(b.subarray(at, at + 8)), b.subarray(at)]);
  }
}

// ---------------------------------------------------------------- properties

const PROPS: Record<string, FuzzProperty> = {
  roundTrip: {
    title: 'round trip: blocks decode to their lists and both dynamic tables stay identical, across table size changes',
    runs: () => fuzzRuns(150),
    prop: () =>
      fc.property(
        blocksArb,
        tableSizeArb,
        huffmanArb,
        fc.array(fc.option(tableSizeArb, { nil: undefined, freq: 3 }), { minLength: 7, maxLength: 7 }),
        (blocks, own, huffman, settings) => {
          const enc = new HpackEncoder({ maxTableSize: own, huffman });
          const dec = new HpackDecoder();
          for (let i = 0; i < blocks.length; i++) {
            // A SETTINGS_HEADER_TABLE_SIZE change before this block, seen by both sides.
            const s = settings[i];
            if (s !== undefined) {
              dec.setMaxTableSize(s);
              enc.setPeerMaxTableSize(s);
            }
            const fields = flat(blocks[i]!);
            const block = Buffer.from(enc.encode(fields));
            noteCase(block);
            assert.deepEqual(dec.decode(block), fields, `block ${i}`);
            assert.deepEqual(tableEntries(dec.table), tableEntries(enc.table), `tables after block ${i}`);
            assert.equal(dec.table.size, enc.table.size);
            assert.equal(dec.table.maxSize, enc.table.maxSize);
            const never: number[] = [];
            for (let f = 0; f < fields.length; f += 2) if (defaultNeverIndex(fields[f]!, fields[f + 1]!)) never.push(f / 2);
            assert.deepEqual(dec.neverIndexed, never);
          }
        },
      ),
  },
  mutation: {
    title: 'mutation: damaged blocks decode or fail with the stable errors, within the header-list limit',
    runs: () => fuzzRuns(400),
    prop: () =>
      fc.property(
        blocksArb,
        tableSizeArb,
        fc.array(MUTATION, { minLength: 1, maxLength: 4 }),
        fc.nat({ max: 20 }),
        fc.integer({ min: 0, max: 20_000 }),
        (blocks, size, mutations, which, limit) => {
          const enc = new HpackEncoder({ maxTableSize: size });
          enc.setPeerMaxTableSize(size);
          const wire = blocks.map((b) => Buffer.from(enc.encode(flat(b))));
          const dec = new HpackDecoder({ maxHeaderListSize: limit });
          dec.setMaxTableSize(size);
          const target = which % wire.length;
          for (let i = 0; i < wire.length; i++) {
            let b: Buffer = wire[i]!;
            if (i === target) for (const m of mutations) b = mutate(b, m);
            const out = decodeAny(dec, b, limit, Math.max(size, 4096));
            // A clean block before any damage decodes as sent (when within the limit).
            if (i < target && out !== null) assert.deepEqual(out, flat(blocks[i]!));
            // A connection error ends the connection: later blocks mean nothing.
            if (out === null) break;
          }
        },
      ),
  },
  garbage: {
    title: 'garbage: random octets decode or fail with the stable errors',
    runs: () => fuzzRuns(1000),
    prop: () =>
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 4096 }), (bytes, limit, advertised) => {
        const dec = new HpackDecoder({ maxTableSize: advertised, maxHeaderListSize: limit });
        decodeAny(dec, bytes, limit, advertised);
        // Twice: a second block against whatever table the first left.
        decodeAny(dec, bytes, limit, advertised);
      }),
  },
  huffman: {
    title: 'Huffman: octet strings round-trip; random octets fail or re-encode to themselves',
    runs: () => fuzzRuns(1000),
    prop: () =>
      fc.property(latin1(300), fc.uint8Array({ maxLength: 64 }), (s, bytes) => {
        const n = huffmanEncodedLength(s);
        const enc = Buffer.alloc(n);
        assert.equal(huffmanEncode(s, enc, 0), n);
        noteCase(enc);
        const out = Buffer.alloc(maxDecodedLength(n));
        assert.equal(out.toString('latin1', 0, huffmanDecode(enc, 0, n, out)), s);

        noteCase(bytes);
        const out2 = Buffer.alloc(maxDecodedLength(bytes.length));
        let decoded: string;
        try {
          decoded = out2.toString('latin1', 0, huffmanDecode(bytes, 0, bytes.length, out2));
        } catch (e) {
          assert.ok(e instanceof HpackError, String(e));
          return;
        }
        const again = Buffer.alloc(huffmanEncodedLength(decoded));
        huffmanEncode(decoded, again, 0);
        assert.deepEqual(again, Buffer.from(bytes));
      }),
  },
  integers: {
    title: 'integers: every value up to 2^31-1 round-trips with every prefix',
    runs: () => fuzzRuns(1000),
    prop: () =>
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: MAX_INTEGER })),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 255 }),
        (v, prefix, pattern) => {
          const out = Buffer.alloc(8);
          const high = pattern & ~((1 << prefix) - 1) & 0xff;
          const end = encodeInteger(out, 0, v, prefix, high);
          noteCase(out.subarray(0, end));
          assert.equal(end, integerLength(v, prefix));
          assert.equal(out[0]! & high, high);
          const cur = { pos: 0 };
          assert.equal(decodeInteger(out, cur, end, prefix), v);
          assert.equal(cur.pos, end);
        },
      ),
  },
};

await runFuzzProperties(import.meta.url, PROPS, 'HPACK decoder');
