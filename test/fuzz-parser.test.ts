// Property-based fuzzing of the HTTP/1.1 response parser (src/h1/parse.ts, chunked.ts,
// syntax.ts) with fast-check. Generators and the parser driver: test/support/fuzz/.
//
// Run counts: HTTPOOL_FUZZ_RUNS (default small, for `npm test`); HTTPOOL_FUZZ_SEED and
// HTTPOOL_FUZZ_PATH replay a failure (fast-check prints both). Long run:
//   HTTPOOL_FUZZ_RUNS=20000 npm run fuzz
//
// Each property runs in a worker thread while this thread watches a progress counter the
// worker bumps per case: a parser stuck in a loop never returns, so no in-thread timeout
// could fire; the watchdog terminates the worker and prints the input it was parsing
// (test/support/fuzz/worker.ts).

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns, noteCase } from './support/fuzz/settings.js';
import { runFuzzProperties, type FuzzProperty } from './support/fuzz/worker.js';
import { FULL, type GenOptions } from './support/fuzz/valid.js';
import { cutsArb, validStream, validStreamWithCuts, type Stream } from './support/fuzz/stream.js';
import { garbageStream, invalidCase, KNOWN_CODES, type InvalidCase } from './support/fuzz/invalid.js';
import { expectedSummary, parseStream, runParser, summary, type Outcome } from './support/fuzz/driver.js';

/** Small streams for the quadratic every-split property. */
const SMALL: GenOptions = { ...FULL, maxBody: 200, maxFields: 4, maxResponses: 2 };

function assertValid(s: Stream, o: Outcome, what: string): void {
  if (o.foreign !== undefined) throw o.foreign;
  assert.deepEqual(summary(o), expectedSummary(s), what);
}

function allBoundaries(len: number): number[] {
  const c: number[] = [];
  for (let i = 1; i < len; i++) c.push(i);
  return c;
}

function checkInvalid(c: InvalidCase, cuts: number[]): void {
  noteCase(c.wire);
  const whole = runParser(c.wire, [c.method], [0]);
  const split = runParser(c.wire, [c.method], [0], { cuts });
  for (const [o, how] of [
    [whole, 'whole'],
    [split, `split at ${JSON.stringify(cuts)}`],
  ] as const) {
    if (o.foreign !== undefined) {
      assert.fail(`${how}: a non-HttpoolError escaped the parser: ${(o.foreign as Error)?.stack ?? String(o.foreign)}`);
    }
    for (const r of o.responses) assert.deepEqual(r.anomalies, [], `${how}: event order`);
    if (o.error !== null) {
      assert.ok(KNOWN_CODES.has(o.error.code), `${how}: unexpected code ${o.error.code}`);
      assert.ok(o.sticky, `${how}: the error is not sticky (later feed()/finish() did not rethrow it)`);
    }
    const pr = c.promise;
    switch (pr.kind) {
      case 'error': {
        assert.ok(o.error !== null, `${how}: ${c.mutation} was accepted: ${JSON.stringify(summary(o))}`);
        assert.equal(o.error.code, pr.code, `${how}: ${o.error.message}`);
        if (pr.phase !== undefined) assert.equal(o.error.phase, pr.phase, `${how}: refused by ${o.error.phase}(): ${o.error.message}`);
        const done = o.responses.filter((r) => r.trailers !== null);
        assert.equal(done.length, 0, `${how}: a response completed despite ${c.mutation}`);
        break;
      }
      case 'complete-then-error': {
        assert.ok(o.error !== null, `${how}: extra bytes accepted`);
        assert.equal(o.error.code, pr.code);
        assert.equal(o.responses.length, 1);
        const r = o.responses[0]!;
        assert.deepEqual(
          { infos: r.infos, head: r.head, body: r.body.toString('latin1'), trailers: r.trailers },
          { infos: pr.expected.infos, head: pr.expected.head, body: pr.expected.body.toString('latin1'), trailers: pr.expected.trailers },
          `${how}: the response before the extra bytes`,
        );
        break;
      }
      case 'short-close': {
        assert.equal(o.error, null, `${how}: close-delimited body cut at EOF refused: ${o.error?.message}`);
        const r = o.responses[0]!;
        assert.deepEqual(r.head, pr.expected.head);
        assert.equal(r.body.toString('latin1'), pr.expected.body.toString('latin1'));
        assert.deepEqual(r.trailers, []);
        break;
      }
      case 'any':
        if (o.error === null) {
          // Accepted: then it is a complete, well-formed parse (EOF ends close-delimited bodies).
          for (const r of o.responses) assert.ok(r.head !== null && r.trailers !== null, `${how}: accepted but incomplete`);
        }
        break;
    }
  }
  assert.deepEqual(summary(split), summary(whole), 'split and whole outcomes differ');
}

const PROPS: Record<string, FuzzProperty> = {
  everySplit: {
    title: 'split invariance: every 2-way split and byte-at-a-time feeding parse a valid stream as generated',
    runs: () => fuzzRuns(40, 0.1),
    prop: () =>
      fc.property(validStream(SMALL), (s) => {
        noteCase(s.wire);
        assertValid(s, parseStream(s), 'whole');
        assertValid(s, parseStream(s, { cuts: allBoundaries(s.wire.length) }), 'byte at a time');
        for (let i = 1; i < s.wire.length; i++) assertValid(s, parseStream(s, { cuts: [i] }), `split at ${i}`);
      }),
  },
  randomSplits: {
    title: 'split invariance: random multi-way splits parse a valid stream as generated',
    runs: () => fuzzRuns(300),
    prop: () =>
      fc.property(validStreamWithCuts(FULL), ({ stream, cuts }) => {
        noteCase(stream.wire);
        assertValid(stream, parseStream(stream), 'whole');
        assertValid(stream, parseStream(stream, { cuts }), `split at ${JSON.stringify(cuts)}`);
      }),
  },
  reusedBuffer: {
    title: 'reused read buffer: chunks that are views of one Buffer overwritten after every feed() still parse correctly',
    runs: () => fuzzRuns(600),
    prop: () =>
      fc.property(
        validStreamWithCuts(FULL),
        fc.oneof(
          { weight: 2, arbitrary: fc.integer({ min: 1, max: 64 }) },
          { weight: 2, arbitrary: fc.integer({ min: 65, max: 512 }) },
          { weight: 1, arbitrary: fc.integer({ min: 513, max: 16384 }) },
        ),
        fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        fc.boolean(),
        ({ stream, cuts }, size, same, useCuts) => {
          noteCase(stream.wire);
          // Without extra cuts every piece fills the buffer (as a busy socket's reads do), so the
          // very same Buffer object comes back feed after feed.
          const plan = { cuts: useCuts ? cuts : [], reuse: size, reuseSameObject: same };
          assertValid(stream, parseStream(stream, plan), `reused buffer: ${JSON.stringify(plan)}`);
        },
      ),
  },
  headerLimit: {
    title: 'maxHeaderBytes is exact: the largest head/trailer section passes, one byte less is ERR_HEADERS_TOO_LARGE',
    runs: () => fuzzRuns(200),
    prop: () =>
      fc.property(
        validStream(FULL).chain((s) => cutsArb(s.wire.length, 6).map((cuts) => ({ s, cuts }))),
        ({ s, cuts }) => {
          noteCase(s.wire);
          const max = Math.max(...s.parts.map((p) => p.expected.maxSectionBytes));
          assertValid(s, parseStream(s, { cuts, maxHeaderBytes: max }), `maxHeaderBytes=${max}`);
          for (const plan of [{ maxHeaderBytes: max - 1 }, { maxHeaderBytes: max - 1, cuts }]) {
            const o = parseStream(s, plan);
            if (o.foreign !== undefined) throw o.foreign;
            assert.equal(o.error?.code, 'ERR_HEADERS_TOO_LARGE', `maxHeaderBytes=${max - 1}: ${JSON.stringify(summary(o))}`);
            assert.equal(o.error?.phase, 'feed');
          }
        },
      ),
  },
  invalid: {
    title: 'invalid responses (mutated): a stable HttpoolError code or a documented outcome, never a short body, same whole or split',
    runs: () => fuzzRuns(1500),
    prop: () =>
      fc.property(
        invalidCase().chain((c) => fc.oneof(cutsArb(c.wire.length, 8), fc.constant(allBoundaries(c.wire.length))).map((cuts) => ({ c, cuts }))),
        ({ c, cuts }) => checkInvalid(c, cuts),
      ),
  },
  garbage: {
    title: 'garbage streams: only known HttpoolError codes or a complete parse, same whole or split',
    runs: () => fuzzRuns(500),
    prop: () =>
      fc.property(
        garbageStream().chain((c) => cutsArb(c.wire.length, 8).map((cuts) => ({ c, cuts }))),
        ({ c, cuts }) => checkInvalid(c, cuts),
      ),
  },
};

await runFuzzProperties(import.meta.url, PROPS);
