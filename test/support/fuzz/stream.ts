// Valid streams: one or more rendered responses as a keep-alive connection carries them in
// sequence (only the last may be close-delimited or 101), with random cut positions for the
// split properties.

import fc from 'fast-check';
import { FULL, responseSpecArb, type GenOptions } from './valid.js';
import { render, type Rendered } from './render.js';

/** Responses on one connection, in order; `starts[i]` is where response i begins. */
export interface Stream {
  wire: Buffer;
  methods: string[];
  starts: number[];
  parts: Rendered[];
}

export function latin1Json(b: Uint8Array): string {
  return JSON.stringify(Buffer.from(b).toString('latin1'));
}

export function makeStream(parts: Rendered[]): Stream {
  const starts: number[] = [];
  let off = 0;
  for (const p of parts) {
    starts.push(off);
    off += p.wire.length;
  }
  const s: Stream = { wire: Buffer.concat(parts.map((p) => p.wire)), methods: parts.map((p) => p.method), starts, parts };
  return withToString(s, () => `Stream(methods=${JSON.stringify(s.methods)}, starts=${JSON.stringify(starts)}, wire=${latin1Json(s.wire)})`);
}

export function withToString<T extends object>(x: T, f: () => string): T {
  Object.defineProperty(x, fc.toStringMethod, { value: f, enumerable: false });
  return x;
}

/** A valid stream of 1…maxResponses responses (only the last may be close-delimited or 101). */
export function validStream(o: GenOptions = FULL): fc.Arbitrary<Stream> {
  return fc
    .tuple(fc.array(responseSpecArb(o, false), { maxLength: o.maxResponses - 1 }), responseSpecArb(o, true))
    .map(([first, last]) => makeStream([...first, last].map((s) => render(s, o))));
}

/** Cut positions strictly inside (0, len), sorted and unique. */
export function cutsArb(len: number, max = 12): fc.Arbitrary<number[]> {
  if (len < 2) return fc.constant([]);
  return fc.uniqueArray(fc.integer({ min: 1, max: len - 1 }), { maxLength: max }).map((a) => a.sort((x, y) => x - y));
}

/** A valid stream with random multi-way cuts. */
export function validStreamWithCuts(o: GenOptions = FULL): fc.Arbitrary<{ stream: Stream; cuts: number[] }> {
  return validStream(o).chain((stream) =>
    fc.oneof(
      cutsArb(stream.wire.length, 12),
      // many small pieces
      fc.integer({ min: 1, max: 7 }).map((step) => {
        const c: number[] = [];
        for (let i = step; i < stream.wire.length; i += step) c.push(i);
        return c;
      }),
    ).map((cuts) => ({ stream, cuts })),
  );
}
