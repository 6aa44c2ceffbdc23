// Test helpers for the HTTP/2 frame layer (src/h2/frames): a FrameHandler that records what it
// is told as plain values, a driver that feeds bytes split at given offsets, and the expected
// events of frames described as data (shared by test/h2-frames.test.ts, the fuzzer and interop);
// assertH2Error for the modules above the frames (test/h2-flow.test.ts, test/h2-stream-state.test.ts).

import assert from 'node:assert/strict';
import { FrameReader, H2FrameError, type FrameHandler, type FrameReaderOptions } from '../../src/h2/frames/index.js';
import {
  FrameBuffer,
} from '../../src/h2/frames/writer.js';

export type FrameEvent =
  | { t: 'data'; sid: number; data: string; end: boolean; flow: number }
  | { t: 'headers'; sid: number; block: string; end: boolean }
  | { t: 'push'; sid: number; promised: number; block: string }
  | { t: 'rst'; sid: number; code: number }
  | { t: 'settings'; params: number[] }
  | { t: 'settingsAck' }
  | { t: 'ping'; data: string; ack: boolean }
  | { t: 'goaway'; last: number; code: number; debug: string }
  | { t: 'window'; sid: number; inc: number }
  | { t: 'streamError'; sid: number; h2Code: number };

/** Records every callback; DATA views are also kept raw, to check where they point. */
export class Recorder implements FrameHandler {
  readonly events: FrameEvent[] = [];
  readonly dataViews: Buffer[] = [];
  onData(sid: number, buf: Buffer, start: number, endAt: number, end: boolean, flow: number): void {
    const data = buf.subarray(start, endAt);
    this.dataViews.push(data);
    this.events.push({ t: 'data', sid, data: data.toString('hex'), end, flow });
  }
  onHeaders(sid: number, buf: Buffer, start: number, end: number, endStream: boolean): void {
    this.events.push({ t: 'headers', sid, block: buf.toString('hex', start, end), end: endStream });
  }
  onPushPromise(sid: number, promised: number, buf: Buffer, start: number, end: number): void {
    this.events.push({ t: 'push', sid, promised, block: buf.toString('hex', start, end) });
  }
  onRstStream(sid: number, code: number): void {
    this.events.push({ t: 'rst', sid, code });
  }
  onSettings(params: number[]): void {
    this.events.push({ t: 'settings', params: [...params] });
  }
  onSettingsAck(): void {
    this.events.push({ t: 'settingsAck' });
  }
  onPing(data: Buffer, ack: boolean): void {
    this.events.push({ t: 'ping', data: data.toString('hex'), ack });
  }
  onGoAway(last: number, code: number, debug: Buffer): void {
    this.events.push({ t: 'goaway', last, code, debug: debug.toString('hex') });
  }
  onWindowUpdate(sid: number, inc: number): void {
    this.events.push({ t: 'window', sid, inc });
  }
  onStreamError(err: H2FrameError): void {
    this.events.push({ t: 'streamError', sid: err.streamId, h2Code: err.h2Code });
  }
}

export interface ReadOutcome {
  events: FrameEvent[];
  error: H2FrameError | null;
  /** Anything thrown that is not an H2FrameError: always a bug. */
  foreign: unknown;
  /** The most the reader held at once (its `buffered`, read after every feed). */
  maxBuffered: number;
  idle: boolean;
  rec: Recorder;
}

/**
 * Feeds `wire` cut at the sorted offsets `cuts` (each in 1..length-1). With `reuse`, every
 * piece is copied into one shared read buffer that is overwritten after each feed(), as a
 * socket reading into a reused buffer would: a reader that kept a view of an earlier chunk
 * would report wrong octets.
 */
export function readSplit(wire: Uint8Array, cuts: readonly number[] = [], opts?: FrameReaderOptions, reuse = false): ReadOutcome {
  const rec = new Recorder();
  const reader = new FrameReader(rec, opts);
  const buf = Buffer.from(wire.buffer, wire.byteOffset, wire.length);
  let error: H2FrameError | null = null;
  let foreign: unknown = undefined;
  let maxBuffered = 0;
  let prev = 0;
  const shared = reuse ? Buffer.alloc(buf.length) : null;
  for (const c of [...cuts, buf.length]) {
    if (c < prev) continue;
    let piece = buf.subarray(prev, c);
    if (shared !== null) piece = shared.subarray(0, buf.copy(shared, 0, prev, c));
    try {
      reader.feed(piece);
      shared?.fill(0xa5);
    } catch (err) {
      if (err instanceof H2FrameError) error = err;
      else foreign = err;
      break;
    }
    maxBuffered = Math.max(maxBuffered, reader.buffered);
    prev = c;
  }
  return { events: rec.events, error, foreign, maxBuffered, idle: reader.idle, rec };
}

/** Feeds one octet at a time. */
export function readBytewise(wire: Uint8Array, opts?: FrameReaderOptions): ReadOutcome {
  const cuts: number[] = [];
  for (let i = 1; i < wire.length; i++) cuts.push(i);
  return readSplit(wire, cuts, opts);
}

/** A frame the client or a server might send, as data; `write` puts it in a FrameBuffer-like writer. */
export type FrameSpec =
  | { t: 'data'; sid: number; data: Uint8Array; end: boolean }
  | { t: 'headers'; sid: number; block: Uint8Array; end: boolean; maxFrameSize?: number }
  | { t: 'rst'; sid: number; code: number }
  | { t: 'settings'; params: number[] }
  | { t: 'settingsAck' }
  | { t: 'ping'; data: Uint8Array; ack: boolean }
  | { t: 'goaway'; last: number; code: number; debug: Uint8Array }
  | { t: 'window'; sid: number; inc: number };

export function writeSpecs(specs: readonly FrameSpec[]): Buffer {
  const fb = new FrameBuffer(256);
  for (const s of specs) {
    switch (s.t) {
      case 'data':
        fb.data(s.sid, s.data, s.end);
        break;
      case 'headers':
        fb.headers(s.sid, s.block, s.end, s.maxFrameSize);
        break;
      case 'rst':
        fb.rstStream(s.sid, s.code);
        break;
      case 'settings':
        fb.settings(s.params);
        break;
      case 'settingsAck':
        fb.settingsAck();
        break;
      case 'ping':
        fb.ping(s.data, s.ack);
        break;
      case 'goaway':
        fb.goAway(s.last, s.code, s.debug);
        break;
      case 'window':
        fb.windowUpdate(s.sid, s.inc);
        break;
    }
  }
  return Buffer.from(fb.take());
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** What the reader reports for these frames. */
export function expectedEvents(specs: readonly FrameSpec[]): FrameEvent[] {
  return specs.map((s): FrameEvent => {
    switch (s.t) {
      case 'data':
        return { t: 'data', sid: s.sid, data: hex(s.data), end: s.end, flow: s.data.length };
      case 'headers':
        return { t: 'headers', sid: s.sid, block: hex(s.block), end: s.end };
      case 'rst':
        return { t: 'rst', sid: s.sid, code: s.code };
      case 'settings':
        return { t: 'settings', params: s.params };
      case 'settingsAck':
        return { t: 'settingsAck' };
      case 'ping':
        return { t: 'ping', data: hex(s.data), ack: s.ack };
      case 'goaway':
        return { t: 'goaway', last: s.last, code: s.code, debug: hex(s.debug) };
      case 'window':
        return { t: 'window', sid: s.sid, inc: s.inc };
    }
  });
}

/** `e` is the H2FrameError the RFC prescribes: stable code ERR_PROTOCOL, exact h2Code, scope and stream. */
export function assertH2Error(e: unknown, h2Code: number, scope: 'connection' | 'stream', streamId: number): void {
  assert.ok(e instanceof H2FrameError, `expected H2FrameError, got ${String(e)}`);
  assert.equal(e.code, 'ERR_PROTOCOL');
  assert.equal(e.h2Code, h2Code);
  assert.equal(e.scope, scope);
  assert.equal(e.streamId, streamId);
}
