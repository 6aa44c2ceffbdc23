// A hostile HTTP/2 server for test/h2-hostile.test.ts: raw TCP, prior-knowledge h2c (the client
// is a Transport with `unencryptedHTTP2: true` and http:// URLs). It reads the client's preface
// and frames with the frame layer under test (FrameReader, serverPreface off: the client's
// octets are read as any frame stream), records them, and lets each test script every frame it
// sends: FrameBuffer for well-formed frames, frame() for ones the writer would refuse (a length
// over the peer's limit, a WINDOW_UPDATE past 2^31-1, PUSH_PROMISE, SETTINGS from a "client").
//
// By default a connection sends SETTINGS (empty, or `settings`) at once and acknowledges the
// client's SETTINGS and PINGs, as a well-behaved server would; `handshake: false` sends
// nothing and acknowledges nothing, so a case decides all of it. Everything stays in memory
// per connection: counts of each frame kind, and the frames themselves up to a cap (floods
// must not make the test process the one that runs out).

import type * as net from 'node:net';
import { CLIENT_PREFACE, Flag, FrameReader, FrameType, H2FrameError, type FrameHandler } from '../../src/h2/frames/index.js';
import { FrameBuffer, writeFrameHeader } from '../../src/h2/frames/writer.js';
import { HpackEncoder } from '../../src/h2/hpack/index.js';
import { rawServer, type TestServer } from './servers.js';

/** A frame the client sent, as the server read it (DATA by length only). */
export type Seen =
  | { t: 'headers'; sid: number; end: boolean }
  | { t: 'data'; sid: number; len: number; end: boolean }
  | { t: 'rst'; sid: number; code: number }
  | { t: 'settings'; params: number[] }
  | { t: 'settingsAck' }
  | { t: 'ping' }
  | { t: 'pingAck' }
  | { t: 'goaway'; last: number; code: number; debug: string }
  | { t: 'window'; sid: number; inc: number }
  | { t: 'streamError'; sid: number; code: number };

/** Frames kept per connection; counts go on past it. */
const KEEP = 1000;

/** Any frame from its parts, length taken from the payload: no checks, so hostile ones too (RFC 9113 §4.1). */
export function frame(type: number, flags: number, sid: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const b = Buffer.allocUnsafe(9 + payload.length);
  writeFrameHeader(b, 0, payload.length, type, flags, sid);
  b.set(payload, 9);
  return b;
}

/** A 32-bit big-endian payload (WINDOW_UPDATE increment, RST_STREAM code). */
export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

/** One client connection as the server sees it. */
export class H2Peer implements FrameHandler {
  readonly socket: net.Socket;
  readonly index: number;
  /** The first KEEP frames the client sent. */
  readonly seen: Seen[] = [];
  /** How many of each kind ('headers', 'ping', 'settingsAck', …) the client sent. */
  readonly count: Record<Seen['t'], number> = { headers: 0, data: 0, rst: 0, settings: 0, settingsAck: 0, ping: 0, pingAck: 0, goaway: 0, window: 0, streamError: 0 };
  /** DATA payload octets received, all streams. */
  dataBytes = 0;
  /** The client's GOAWAY, if one was read. */
  goaway: { last: number; code: number; debug: string } | null = null;
  /** Octets the client sent that are not HTTP/2 (bad preface, a frame the reader refused), or the case's script threw. */
  readError: Error | null = null;
  closed = false;
  /** Acknowledge the client's SETTINGS and PINGs (on by default; floods turn it off or pause reading). */
  autoAck: boolean;
  /** HPACK encoder for response header blocks, in step with the client's decoder for well-formed blocks. */
  readonly hpack = new HpackEncoder();
  #preface = Buffer.alloc(0);
  #reader = new FrameReader(this, { serverPreface: false });
  #waiters = new Set<() => void>();

  constructor(socket: net.Socket, index: number, autoAck: boolean) {
    this.socket = socket;
    this.index = index;
    this.autoAck = autoAck;
    socket.on('data', (c: Buffer) => this.#read(c));
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  /** Writes octets; false when the socket is closed or its buffer is full (see sendAll). */
  send(...parts: Uint8Array[]): boolean {
    if (this.closed || this.socket.destroyed) return false;
    return this.socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }

  /**
   * Writes `n` copies of what `make(i)` returns, in batches, waiting for the socket to drain
   * between them (or for `maxWaitMs` at most, for a client that stopped reading): the flood
   * itself is bounded in memory on this side. Returns how many were written.
   */
  async sendMany(n: number, make: (i: number) => Uint8Array, maxWaitMs = 2000): Promise<number> {
    const BATCH = 1024;
    let i = 0;
    while (i < n && !this.closed) {
      const parts: Uint8Array[] = [];
      for (const end = Math.min(n, i + BATCH); i < end; i++) parts.push(make(i));
      if (!this.send(...parts)) {
        const drained = await this.#drainOrClose(maxWaitMs);
        if (!drained) break;
      }
    }
    return i;
  }

  #drainOrClose(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (v: boolean): void => {
        clearTimeout(timer);
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        resolve(v);
      };
      const onDrain = (): void => done(true);
      const onClose = (): void => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.socket.on('drain', onDrain);
      this.socket.on('close', onClose);
    });
  }

  /** A response header block for `fields` ([name, value, …]) through this connection's encoder. */
  block(fields: readonly string[]): Buffer {
    return Buffer.from(this.hpack.encode(fields));
  }

  /** HEADERS (END_HEADERS) and, when `body` is given, one DATA with END_STREAM. */
  respond(sid: number, fields: readonly string[] = [':status', '200'], body?: string): void {
    const fb = new FrameBuffer(1024);
    fb.headers(sid, this.block(fields), body === undefined);
    if (body !== undefined) fb.data(sid, Buffer.from(body), true);
    this.send(fb.take());
  }

  /** Stops reading the socket: what the client writes piles up in its buffers (and then its own). */
  stopReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  /**
   * Waits until `pred` holds (checked after every chunk read and on close); false after `ms`, or
   * once the socket has closed (no timer outlives the connection: the case's leak check counts them).
   */
  async until(pred: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (this.closed) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(wake, left);
        function wake(): void {
          clearTimeout(t);
          r();
        }
        this.#waiters.add(wake);
      });
    }
    return true;
  }

  /** The stream id of the client's `n`th request HEADERS (1-based), or an error after `ms`. */
  async request(n = 1, ms = 3000): Promise<number> {
    if (!(await this.until(() => this.count.headers >= n, ms))) throw new Error(`no request #${n} from the client within ${ms} ms (closed: ${this.closed})`);
    return this.seen.filter((f) => f.t === 'headers')[n - 1]!.sid;
  }

  /** Waits for the client's GOAWAY or its close; the GOAWAY, or null when it closed without one. */
  async goawayOrClose(ms = 3000): Promise<{ last: number; code: number; debug: string } | null> {
    await this.until(() => this.goaway !== null || this.closed, ms);
    return this.goaway;
  }

  #wake(): void {
    const w = [...this.#waiters];
    this.#waiters.clear();
    for (const f of w) f();
  }

  #read(c: Buffer): void {
    try {
      if (this.#preface.length < CLIENT_PREFACE.length) {
        const need = CLIENT_PREFACE.length - this.#preface.length;
        this.#preface = Buffer.concat([this.#preface, c.subarray(0, need)]);
        c = c.subarray(need);
        if (!CLIENT_PREFACE.subarray(0, this.#preface.length).equals(this.#preface)) throw new Error('not the HTTP/2 client preface (RFC 9113 §3.4)');
      }
      if (c.length > 0 && this.readError === null) this.#reader.feed(c);
    } catch (e) {
      this.readError ??= e as Error;
    }
    this.#wake();
  }

  #add(f: Seen): void {
    this.count[f.t]++;
    if (this.seen.length < KEEP) this.seen.push(f);
  }

  onData(sid: number, _b: Buffer, start: number, end: number, endStream: boolean): void {
    this.dataBytes += end - start;
    this.#add({ t: 'data', sid, len: end - start, end: endStream });
  }
  onHeaders(sid: number, _b: Buffer, _s: number, _e: number, endStream: boolean): void {
    this.#add({ t: 'headers', sid, end: endStream });
  }
  onRstStream(sid: number, code: number): void {
    this.#add({ t: 'rst', sid, code });
  }
  onSettings(params: number[]): void {
    this.#add({ t: 'settings', params: [...params] });
    if (this.autoAck) this.send(frame(FrameType.SETTINGS, Flag.ACK, 0));
  }
  onSettingsAck(): void {
    this.#add({ t: 'settingsAck' });
  }
  onPing(data: Buffer, ack: boolean): void {
    this.#add({ t: ack ? 'pingAck' : 'ping' });
    if (!ack && this.autoAck) this.send(frame(FrameType.PING, Flag.ACK, 0, data));
  }
  onGoAway(last: number, code: number, debug: Buffer): void {
    this.goaway = { last, code, debug: debug.toString('latin1') };
    this.#add({ t: 'goaway', ...this.goaway });
  }
  onWindowUpdate(sid: number, inc: number): void {
    this.#add({ t: 'window', sid, inc });
  }
  onStreamError(err: H2FrameError): void {
    this.#add({ t: 'streamError', sid: err.streamId, code: err.h2Code });
  }
}

export interface HostileH2Options {
  /** SETTINGS sent first, flat id/value pairs (RFC 9113 §6.5). Default: none, an empty frame. */
  settings?: number[];
  /** false: send no SETTINGS and acknowledge nothing; the case writes every frame. Default true. */
  handshake?: boolean;
}

export interface HostileH2Server extends TestServer {
  /** The connections, in accept order. */
  readonly peers: H2Peer[];
}

/** A loopback h2c server; `onConn` scripts each connection (it may be async; its errors are the test's to notice). */
export async function hostileH2(onConn: (peer: H2Peer) => void | Promise<void>, opts: HostileH2Options = {}): Promise<HostileH2Server> {
  const peers: H2Peer[] = [];
  const handshake = opts.handshake ?? true;
  const srv = await rawServer((socket, index) => {
    const peer = new H2Peer(socket, index, handshake);
    peers.push(peer);
    if (handshake) peer.send(new FrameBuffer(256).settings(opts.settings ?? []).take());
    void Promise.resolve()
      .then(() => onConn(peer))
      .catch((e: unknown) => (peer.readError ??= e as Error));
  });
  return Object.assign(srv, { peers });
}
