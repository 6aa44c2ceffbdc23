// The parser driver the fuzz properties share: feeds a stream to one ResponseParser at any
// split, optionally through one reused buffer the way the socket read path hands chunks over,
// and records every event, error and order violation for comparison.

import { ResponseParser } from '../../../src/h1/parse.js';
import type { ParserHandler, ResponseHead } from '../../../src/h1/types.js';
import { HttpoolError } from '../../../src/errors.js';
import { plainHead } from '../heads.js';
import type { Stream } from './stream.js';

export interface ParsedResponse {
  infos: ResponseHead[];
  head: ResponseHead | null;
  body: Buffer;
  trailers: string[] | null; // null until onComplete
  /** Order violations seen by the handler (body before head, events after complete, …). */
  anomalies: string[];
}

export interface Outcome {
  responses: ParsedResponse[];
  error: { code: string; name: string; message: string; phase: 'feed' | 'finish' } | null;
  /** A thrown value that is not an HttpoolError (always a bug). */
  foreign: unknown;
  /** After an error, later feed()/finish() threw the very same error. */
  sticky: boolean;
}

export interface FeedPlan {
  /** Extra cut positions (the response starts are always cuts). */
  cuts?: readonly number[];
  /** Feed through one reused Buffer of this size, overwritten after every feed(). */
  reuse?: number;
  /** When reusing, feed the whole shared Buffer object (not a fresh view) whenever a piece fills it. */
  reuseSameObject?: boolean;
  maxHeaderBytes?: number;
  /** Call finish() after the last byte (EOF). Default true. */
  finish?: boolean;
}

/**
 * Feeds `wire` to one ResponseParser, calling expect(methods[i]) where response i starts (when
 * the parser is idle there, as a connection writes its next request only then), and finish()
 * at the end. Body pieces are copied in onBody, as the connection does with shared-buffer reads.
 */
export function runParser(wire: Buffer, methods: readonly string[], starts: readonly number[], plan: FeedPlan = {}): Outcome {
  const responses: ParsedResponse[] = [];
  let cur: ParsedResponse | null = null;
  const handler: ParserHandler = {
    onInformational(head) {
      if (cur === null) throw new Error('fuzz: event with no response expected');
      if (cur.head !== null) cur.anomalies.push('informational after final head');
      cur.infos.push(plainHead(head));
    },
    onHead(head) {
      if (cur === null) throw new Error('fuzz: event with no response expected');
      if (cur.head !== null) cur.anomalies.push('second final head');
      cur.head = plainHead(head);
    },
    onBody(chunk) {
      if (cur === null) throw new Error('fuzz: event with no response expected');
      if (cur.head === null) cur.anomalies.push('body before head');
      if (cur.trailers !== null) cur.anomalies.push('body after complete');
      cur.body = Buffer.concat([cur.body, chunk]); // copy: the chunk may be a view of reused memory
    },
    onComplete(trailers) {
      if (cur === null) throw new Error('fuzz: event with no response expected');
      if (cur.head === null) cur.anomalies.push('complete before head');
      if (cur.trailers !== null) cur.anomalies.push('complete twice');
      cur.trailers = [...trailers];
    },
  };
  const p = new ResponseParser(handler, { maxHeaderBytes: plan.maxHeaderBytes ?? 16 * 1024 });
  const len = wire.length;
  const cutSet = new Set<number>();
  for (const c of plan.cuts ?? []) if (c > 0 && c < len) cutSet.add(c);
  for (const s of starts) if (s > 0 && s < len) cutSet.add(s);
  if (plan.reuse !== undefined) {
    // A piece never exceeds the shared buffer: split further.
    const sorted = [...cutSet].sort((a, b) => a - b);
    let prev = 0;
    for (const c of [...sorted, len]) {
      for (let x = prev + plan.reuse; x < c; x += plan.reuse) cutSet.add(x);
      prev = c;
    }
  }
  const cuts = [...cutSet].sort((a, b) => a - b);
  const shared = plan.reuse !== undefined ? Buffer.alloc(plan.reuse) : null;
  const startSet = new Map<number, number>(starts.map((s, i) => [s, i]));

  let error: Outcome['error'] = null;
  let thrown: unknown = null;
  let foreign: unknown = undefined;
  const onThrow = (e: unknown, phase: 'feed' | 'finish'): void => {
    thrown = e;
    if (e instanceof HttpoolError) error = { code: e.code, name: e.name, message: e.message, phase };
    else foreign = e;
  };

  let prev = 0;
  const bounds = [...cuts, len];
  for (let bi = 0; bi < bounds.length && thrown === null; bi++) {
    const a = prev;
    const b = bounds[bi]!;
    prev = b;
    if (a === b) continue;
    const k = startSet.get(a);
    if (k !== undefined && p.idle) {
      try {
        p.expect(methods[k]!);
      } catch (e) {
        onThrow(e, 'feed');
        break;
      }
      cur = { infos: [], head: null, body: Buffer.alloc(0), trailers: null, anomalies: [] };
      responses.push(cur);
    }
    let piece: Buffer;
    if (shared !== null) {
      wire.copy(shared, 0, a, b);
      piece = plan.reuseSameObject === true && b - a === shared.length ? shared : shared.subarray(0, b - a);
    } else {
      piece = wire.subarray(a, b);
    }
    try {
      p.feed(piece);
    } catch (e) {
      onThrow(e, 'feed');
    }
    if (shared !== null) {
      // The socket's next read lands here: nothing the parser kept may point into it.
      for (let i = 0; i < b - a; i++) shared[i] = shared[i]! ^ 0xa5;
    }
  }
  if (thrown === null && plan.finish !== false) {
    try {
      p.finish();
    } catch (e) {
      onThrow(e, 'finish');
    }
  }
  let sticky = true;
  if (thrown !== null) {
    try {
      p.feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'));
      sticky = false;
    } catch (e) {
      sticky &&= e === thrown;
    }
    try {
      p.finish();
      sticky = false;
    } catch (e) {
      sticky &&= e === thrown;
    }
  }
  return { responses, error, foreign, sticky };
}

/** Parses a whole stream with the given plan. */
export function parseStream(s: Stream, plan: FeedPlan = {}): Outcome {
  return runParser(s.wire, s.methods, s.starts, plan);
}

/** A comparable summary of an outcome (for whole-vs-split equality). */
export function summary(o: Outcome): unknown {
  return {
    responses: o.responses.map((r) => ({ ...r, body: r.body.toString('latin1') })),
    error: o.error === null ? null : { code: o.error.code, phase: o.error.phase },
    foreign: o.foreign === undefined ? undefined : String(o.foreign),
  };
}

/** Expected outcome of a valid stream. */
export function expectedSummary(s: Stream): unknown {
  return {
    responses: s.parts.map((p) => ({
      infos: p.expected.infos,
      head: p.expected.head,
      body: p.expected.body.toString('latin1'),
      trailers: p.expected.trailers,
      anomalies: [],
    })),
    error: null,
    foreign: undefined,
  };
}
