// The HTTP/2 session against a fuzzing server (src/transport/h2/): after the client's request,
// a raw h2c server (test/support/hostile-h2.ts) sends a random run of frames, well-formed and
// not (HEADERS with real and broken blocks, CONTINUATION, DATA with and without padding,
// RST_STREAM, WINDOW_UPDATE, SETTINGS, PING, GOAWAY, PRIORITY, unknown types, raw garbage, on
// stream 0, the request's stream, idle and even ones), then closes. Whatever comes, the
// request settles within its bound: a body, or an HttpoolError with one of the codes the
// engine documents. Never another error (a crash in the engine), never a hang, and nothing
// left open once the Transport closes.
//
// Run counts: HTTPOOL_FUZZ_RUNS (default small, for `npm test`); HTTPOOL_FUZZ_SEED replays.
//   HTTPOOL_FUZZ_RUNS=2000 node --test build/test/fuzz-h2-session.test.js

import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { Client, HttpoolError, Transport } from '../src/index.js';
import { FrameType, H2Code, Setting } from '../src/h2/frames/types.js';
import { HpackEncoder } from '../src/h2/hpack/index.js';
import { assertReleased, resources } from './support/clean.js';
import { fuzzRuns, fuzzSeed } from './support/fuzz/settings.js';
import { frame, hostileH2, u32 } from './support/hostile-h2.js';
import { within } from './support/within.js';

/** What a request may end with when the server misbehaves (README, RELIABILITY.md). */
const ALLOWED = new Set(['ERR_PROTOCOL', 'ERR_HEADERS_TOO_LARGE', 'ERR_CONNECTION_CLOSED', 'ERR_READ', 'ERR_TIMEOUT', 'ERR_DECODE']);

const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;

/** One frame (or raw octets) the server sends; the block of a HEADERS is encoded when the run starts. */
type Action =
  | { t: 'headers'; sid: number; fields: string[]; end: boolean; endHeaders: boolean }
  | { t: 'raw-frame'; type: number; flags: number; sid: number; payload: Uint8Array }
  | { t: 'garbage'; octets: Uint8Array };

// Mostly the request's stream (1), so runs get past the first frame; the rest are connection
// errors by design (idle odd ids, even ids) or the connection's own (0).
const sid = fc.constantFrom(0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 0x7fffffff);
const status = fc.constantFrom('200', '200', '204', '304', '100', '103', '101', '99', 'abc', '2000');
const field = fc.oneof(
  fc.tuple(fc.constantFrom('content-length', 'content-encoding', 'x-a', 'connection', 'te', ':path', 'Upper', 'trailer'), fc.constantFrom('0', '1', '5', '-1', 'gzip', 'x', ' y ', 'a\r\nb', '')),
  fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 })),
);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('headers' as const), sid, fields: fc.tuple(status, fc.array(field, { maxLength: 4 })).map(([s, fs]) => [':status', s, ...fs.flat()]), end: fc.boolean(), endHeaders: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(false)) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('raw-frame' as const),
      type: fc.constant(FrameType.DATA),
      flags: fc.constantFrom(0, END_STREAM, PADDED, PADDED | END_STREAM),
      sid,
      payload: fc.uint8Array({ maxLength: 300 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.oneof(
      fc.record({ t: fc.constant('raw-frame' as const), type: fc.constant(FrameType.CONTINUATION), flags: fc.constantFrom(0, END_HEADERS), sid, payload: fc.uint8Array({ maxLength: 40 }) }),
      fc.record({ t: fc.constant('raw-frame' as const), type: fc.constant(FrameType.RST_STREAM), flags: fc.constant(0), sid, payload: fc.constantFrom(...[0, 1, 2, 7, 8, 11, 99].map((c) => u32(c))) }),
      fc.record({ t: fc.constant('raw-frame' as const), type: fc.constant(FrameType.WINDOW_UPDATE), flags: fc.constant(0), sid, payload: fc.constantFrom(0, 1, 1000, 0x7fffffff).map((n) => u32(n)) }),
      fc.record({
        t: fc.constant('raw-frame' as const),
        type: fc.constant(FrameType.SETTINGS),
        flags: fc.constantFrom(0, 0, 1),
        sid: fc.constantFrom(0, 0, 0, 1),
        payload: fc
          .array(fc.tuple(fc.constantFrom(Setting.HEADER_TABLE_SIZE, Setting.ENABLE_PUSH, Setting.MAX_CONCURRENT_STREAMS, Setting.INITIAL_WINDOW_SIZE, Setting.MAX_FRAME_SIZE, Setting.MAX_HEADER_LIST_SIZE, 0x99), fc.constantFrom(0, 1, 100, 16384, 65535, 0x7fffffff, 0x80000000, 0xffffffff)), { maxLength: 3 })
          .map((ps) => Buffer.concat(ps.map(([id, v]) => Buffer.from([id >> 8, id & 0xff, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff])))),
      }),
      fc.record({ t: fc.constant('raw-frame' as const), type: fc.constant(FrameType.PING), flags: fc.constantFrom(0, 1), sid: fc.constantFrom(0, 0, 1), payload: fc.uint8Array({ minLength: 8, maxLength: 9 }) }),
      fc.record({ t: fc.constant('raw-frame' as const), type: fc.constant(FrameType.GOAWAY), flags: fc.constant(0), sid: fc.constantFrom(0, 0, 1), payload: fc.tuple(fc.constantFrom(0, 1, 3), fc.constantFrom(H2Code.NO_ERROR, H2Code.PROTOCOL_ERROR, H2Code.ENHANCE_YOUR_CALM)).map(([l, c]) => Buffer.concat([u32(l), u32(c)])) }),
      fc.record({ t: fc.constant('raw-frame' as const), type: fc.constant(FrameType.PRIORITY), flags: fc.constant(0), sid, payload: fc.uint8Array({ minLength: 5, maxLength: 6 }) }),
      fc.record({ t: fc.constant('raw-frame' as const), type: fc.constantFrom(0x0a, 0xfe), flags: fc.nat({ max: 255 }), sid, payload: fc.uint8Array({ maxLength: 20 }) }),
    ),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('garbage' as const), octets: fc.uint8Array({ minLength: 1, maxLength: 30 }) }) },
);

/** The octets of a run; HEADERS blocks through one encoder, as one server connection would make them. */
function render(actions: readonly Action[]): Buffer {
  const hpack = new HpackEncoder();
  const parts: Buffer[] = [];
  for (const a of actions) {
    if (a.t === 'garbage') parts.push(Buffer.from(a.octets));
    else if (a.t === 'raw-frame') parts.push(frame(a.type, a.flags, a.sid, a.payload));
    else {
      let block: Buffer;
      try {
        block = Buffer.from(hpack.encode(a.fields));
      } catch {
        continue; // a field the encoder refuses (not octets): the encoder is then unusable
      }
      parts.push(frame(FrameType.HEADERS, (a.end ? END_STREAM : 0) | (a.endHeaders ? END_HEADERS : 0), a.sid, block));
    }
  }
  return Buffer.concat(parts);
}

test('fuzz: a request settles (a body, or an HttpoolError with a documented code) whatever frames the server sends', { timeout: 600_000 }, async (t) => {
  const before = resources();
  let script: Buffer = Buffer.alloc(0);
  const srv = await hostileH2(async (peer) => {
    await peer.request(1, 2000).catch(() => 0);
    peer.send(script);
    // Then the server goes: the request may not wait for its timeout on every run.
    setTimeout(() => peer.socket.end(), 10).unref();
  });
  const outcomes: Record<string, number> = {};
  try {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(action, { minLength: 1, maxLength: 12 }), async (headFirst, actions) => {
        // Half the runs start with a well-formed response head, so the body, trailer and reset
        // paths are reached, not only the head's.
        const head: Action = { t: 'headers', sid: 1, fields: [':status', '200'], end: false, endHeaders: true };
        script = render(headFirst ? [head, ...actions] : actions);
        const transport = new Transport({ unencryptedHTTP2: true, proxy: null, http2PingTimeout: 1000 });
        try {
          const client = new Client({ transport, timeout: 3000 });
          const got = await within(
            client.get(srv.url).then(
              async (r) => ({ ok: true as const, body: await r.body.text() }),
              (e: unknown) => ({ ok: false as const, e }),
            ),
            5000,
            'the request to settle',
          ).catch((e: unknown) => ({ ok: false as const, e }));
          if (got.ok) {
            outcomes['body'] = (outcomes['body'] ?? 0) + 1;
            return;
          }
          const e = got.e;
          assert.ok(e instanceof HttpoolError, `not an HttpoolError: ${String(e)}${e instanceof Error ? `\n${e.stack}` : ''}`);
          assert.ok(ALLOWED.has(e.code), `code ${e.code}: ${e.message}`);
          outcomes[e.code] = (outcomes[e.code] ?? 0) + 1;
        } finally {
          await transport.close();
        }
      }),
      { numRuns: fuzzRuns(40), seed: fuzzSeed() },
    );
  } finally {
    await srv.close();
  }
  // Both ways out were taken: the generator reaches well-formed responses and broken ones.
  t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
  assert.ok(Object.keys(outcomes).length >= 2, JSON.stringify(outcomes));
  await assertReleased(before);
});
