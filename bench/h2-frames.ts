// Micro-benchmark of the HTTP/2 frame reader (src/h2/frames/reader.ts) on the frames a client
// reads most: for 50 concurrent small responses, each a HEADERS (a 40-octet field block, as a
// server's :status, content-type, content-length, date would encode) and a DATA of 13 octets
// with END_STREAM, all on one connection, arriving as 16 KiB socket reads (so some frames are
// split across reads, as on a real socket). A second case reads 1 MiB bodies: 16 KiB DATA
// frames in 64 KiB reads. The handler does nothing but count, so the figure is the reader's.
// Then the writer batching request HEADERS, and the small case again with a handler that makes
// a Buffer view of each DATA, as a connection handing bodies on would.
//
//   npx tsc -p tsconfig.json && node build/bench/h2-frames.js [seconds-per-case] [small|big]

import { FrameBuffer, FrameReader, type FrameHandler, type H2FrameError } from '../src/h2/frames/index.js';

class Counting implements FrameHandler {
  frames = 0;
  octets = 0;
  onData(_sid: number, _buf: Buffer, start: number, end: number, _endStream: boolean, _flow: number): void {
    this.frames++;
    this.octets += end - start;
  }
  onHeaders(_sid: number, _buf: Buffer, start: number, end: number, _endStream: boolean): void {
    this.frames++;
    this.octets += end - start;
  }
  onRstStream(): void {
    this.frames++;
  }
  onSettings(): void {
    this.frames++;
  }
  onSettingsAck(): void {
    this.frames++;
  }
  onPing(): void {
    this.frames++;
  }
  onGoAway(): void {
    this.frames++;
  }
  onWindowUpdate(): void {
    this.frames++;
  }
  onStreamError(err: H2FrameError): void {
    throw err;
  }
}

/** As a connection that hands each DATA on as a Buffer would: one view per DATA frame. */
class Viewing extends Counting {
  views = 0;
  override onData(_sid: number, buf: Buffer, start: number, end: number, _endStream: boolean, _flow: number): void {
    this.frames++;
    this.views += buf.subarray(start, end).length;
  }
}

/** The connection's bytes cut into socket-sized reads. */
function reads(wire: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < wire.length; i += size) out.push(wire.subarray(i, Math.min(i + size, wire.length)));
  return out;
}

function smallResponses(rounds: number): { chunks: Buffer[]; frames: number } {
  const fb = new FrameBuffer(1 << 20);
  const block = Buffer.alloc(40, 0x5a);
  block[0] = 0x88; // :status 200
  const body = Buffer.from('hello, world\n');
  let sid = 1;
  let frames = 0;
  for (let r = 0; r < rounds; r++) {
    // 50 streams in flight: the server answers them interleaved, headers first.
    for (let i = 0; i < 50; i++) fb.headers(sid + 2 * i, block, false);
    for (let i = 0; i < 50; i++) fb.data(sid + 2 * i, body, true);
    frames += 100;
    sid += 100;
  }
  return { chunks: reads(Buffer.from(fb.take()), 16 * 1024), frames };
}

function bigBodies(count: number): { chunks: Buffer[]; frames: number } {
  const fb = new FrameBuffer(1 << 20);
  const piece = Buffer.alloc(16 * 1024, 0x62);
  let frames = 0;
  for (let s = 0; s < count; s++) {
    fb.headers(1 + 2 * s, Buffer.of(0x88), false);
    frames++;
    for (let i = 0; i < 64; i++, frames++) fb.data(1 + 2 * s, piece, i === 63);
  }
  return { chunks: reads(Buffer.from(fb.take()), 64 * 1024), frames };
}

/** Calls `fn` `warmup` times, then as often as fits in `seconds`: how many times, in how many ns. */
function timed(seconds: number, warmup: number, fn: () => unknown): { times: number; ns: number } {
  for (let i = 0; i < warmup; i++) fn();
  let times = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < until) {
    fn();
    times++;
    now = process.hrtime.bigint();
  }
  return { times, ns: Number(now - start) };
}

function run(name: string, input: { chunks: Buffer[]; frames: number }, seconds: number, Handler: new () => Counting = Counting): void {
  const octets = input.chunks.reduce((n, c) => n + c.length, 0);
  const pass = (): Counting => {
    const h = new Handler();
    const r = new FrameReader(h);
    for (const c of input.chunks) r.feed(c);
    if (h.frames !== input.frames) throw new Error(`${name}: read ${h.frames} frames, wrote ${input.frames}`);
    return h;
  };
  const { times: passes, ns } = timed(seconds, 50, pass);
  const frames = passes * input.frames;
  const perFrame = ns / frames;
  const gbps = (passes * octets) / ns;
  console.log(`${name}: ${perFrame.toFixed(1)} ns/frame, ${(1000 / perFrame).toFixed(1)} frames/µs, ${gbps.toFixed(2)} GB/s (${frames} frames in ${(ns / 1e6).toFixed(0)} ms)`);
}

/** The writer: 50 request HEADERS (a 30-octet block) and a connection WINDOW_UPDATE batched per take(), as one socket write. */
function runWriter(seconds: number): void {
  const fb = new FrameBuffer();
  const block = Buffer.alloc(30, 0x41);
  let sid = 1;
  const batch = (): number => {
    for (let i = 0; i < 50; i++) {
      fb.headers(sid, block, true);
      sid = sid >= 0x7fff0000 ? 1 : sid + 2;
    }
    fb.windowUpdate(0, 65_535);
    return fb.take().length;
  };
  const { times: batches, ns } = timed(seconds, 1000, batch);
  const perFrame = ns / (batches * 51);
  console.log(`writer, 50 HEADERS + WINDOW_UPDATE per batch into one Buffer: ${perFrame.toFixed(1)} ns/frame, ${(1000 / perFrame).toFixed(1)} frames/µs`);
}

const seconds = Number(process.argv[2] ?? '2');
const only = process.argv[3]; // 'small' or 'big' to run one case (for a profile)
if (only !== 'big') run('50 concurrent small responses (HEADERS + DATA), 16 KiB reads', smallResponses(20), seconds);
if (only !== 'small') run('1 MiB bodies (16 KiB DATA), 64 KiB reads', bigBodies(4), seconds);
if (only === undefined) runWriter(seconds);
// Last: the second handler class makes the reader's call sites polymorphic for what follows.
if (only !== 'big') run('the same 50 small responses, handler making a Buffer view per DATA', smallResponses(20), seconds, Viewing);
