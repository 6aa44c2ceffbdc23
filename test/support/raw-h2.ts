// A minimal HTTP/2 client over a raw socket, for the HPACK differential (test/h2-hpack.test.ts):
// it writes the connection preface, SETTINGS and HEADERS frames with hand-written 9-byte frame
// headers (RFC 9113 §4.1) and reads frames until each request's response is complete. Header
// blocks go through the HpackEncoder / HpackDecoder under test; the frame layer proper
// (src/h2/frames/) is deliberately not used, so the two are tested independently.

import * as net from 'node:net';
import { HpackDecoder, HpackEncoder } from '../../src/h2/hpack/index.js';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const DATA = 0x0;
const HEADERS = 0x1;
const RST_STREAM = 0x3;
const SETTINGS = 0x4;
const PING = 0x6;
const GOAWAY = 0x7;
const WINDOW_UPDATE = 0x8;
const CONTINUATION = 0x9;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;
const ACK = 0x1;

export function frame(type: number, flags: number, stream: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream & 0x7fffffff, 5);
  return Buffer.concat([h, payload]);
}

export interface RawResponse {
  stream: number;
  /** The decoded header list of the response's first HEADERS block (flat [name, value, …]). */
  fields: string[];
  /** The size of that block on the wire (HEADERS + CONTINUATION fragments). */
  blockBytes: number;
  body: Buffer;
}

/** One connection; requests are sent one at a time and answered in order. */
export class RawH2 {
  readonly encoder: HpackEncoder;
  readonly decoder: HpackDecoder;
  /** The server's SETTINGS, id → value, as received. */
  readonly peerSettings = new Map<number, number>();
  #sock: net.Socket;
  #buf = Buffer.alloc(0);
  #nextStream = 1;
  #waiters: (() => void)[] = [];
  #error: Error | null = null;
  #block: { stream: number; parts: Buffer[]; endStream: boolean } | null = null;
  #pending = new Map<number, { res: RawResponse; headersDone: boolean; resolve: (r: RawResponse) => void; reject: (e: Error) => void }>();

  private constructor(sock: net.Socket, encoder: HpackEncoder, decoder: HpackDecoder) {
    this.#sock = sock;
    this.encoder = encoder;
    this.decoder = decoder;
    sock.on('data', (b: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, b]);
      try {
        this.#drain();
      } catch (e) {
        this.#fail(e as Error);
      }
    });
    sock.on('error', (e) => this.#fail(e));
    sock.on('close', () => this.#fail(new Error('connection closed')));
  }

  /**
   * Connects and sends the preface and our SETTINGS (`settings`: id → value; empty by default).
   * The decoder is told about a SETTINGS_HEADER_TABLE_SIZE we advertise.
   */
  static async connect(port: number, opts: { settings?: [number, number][]; encoder?: HpackEncoder } = {}): Promise<RawH2> {
    const sock = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const decoder = new HpackDecoder();
    const payload = Buffer.alloc(6 * (opts.settings?.length ?? 0));
    (opts.settings ?? []).forEach(([id, v], i) => {
      payload.writeUInt16BE(id, i * 6);
      payload.writeUInt32BE(v, i * 6 + 2);
      // Strictly the new size binds the peer once it ACKs (RFC 9113 §6.5.3), but the peer reads
      // these SETTINGS before any request of ours, so no block is encoded under the old size.
      if (id === 0x1) decoder.setMaxTableSize(v);
    });
    const c = new RawH2(sock, opts.encoder ?? new HpackEncoder(), decoder);
    sock.write(Buffer.concat([PREFACE, frame(SETTINGS, 0, 0, payload)]));
    return c;
  }

  /** Sends a request with no body (END_STREAM on HEADERS) and waits for its whole response. */
  request(fields: string[]): Promise<RawResponse> {
    if (this.#error !== null) return Promise.reject(this.#error);
    const stream = this.#nextStream;
    this.#nextStream += 2;
    // Copy: encode() returns a view of the encoder's buffer.
    const block = Buffer.from(this.encoder.encode(fields));
    const p = new Promise<RawResponse>((resolve, reject) => {
      this.#pending.set(stream, { res: { stream, fields: [], blockBytes: 0, body: Buffer.alloc(0) }, headersDone: false, resolve, reject });
    });
    this.#sock.write(frame(HEADERS, END_HEADERS | END_STREAM, stream, block));
    return p;
  }

  close(): void {
    this.#sock.destroy();
  }

  #fail(e: Error): void {
    if (this.#error === null) this.#error = e;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }

  #drain(): void {
    while (this.#buf.length >= 9) {
      const len = this.#buf.readUIntBE(0, 3);
      if (this.#buf.length < 9 + len) return;
      const type = this.#buf[3]!;
      const flags = this.#buf[4]!;
      const stream = this.#buf.readUInt32BE(5) & 0x7fffffff;
      const payload = this.#buf.subarray(9, 9 + len);
      this.#buf = this.#buf.subarray(9 + len);
      this.#frame(type, flags, stream, payload);
    }
  }

  #frame(type: number, flags: number, stream: number, payload: Buffer): void {
    if (this.#block !== null && type !== CONTINUATION) throw new Error(`frame type ${type} inside a header block`);
    switch (type) {
      case SETTINGS:
        if ((flags & ACK) !== 0) return;
        for (let i = 0; i + 6 <= payload.length; i += 6) {
          const id = payload.readUInt16BE(i);
          const v = payload.readUInt32BE(i + 2);
          this.peerSettings.set(id, v);
          if (id === 0x1) this.encoder.setPeerMaxTableSize(v);
        }
        this.#sock.write(frame(SETTINGS, ACK, 0));
        return;
      case PING:
        if ((flags & ACK) === 0) this.#sock.write(frame(PING, ACK, 0, payload));
        return;
      case GOAWAY:
        throw new Error(`GOAWAY error ${payload.readUInt32BE(4)}: ${payload.subarray(8).toString('latin1')}`);
      case RST_STREAM:
        throw new Error(`RST_STREAM on ${stream}: error ${payload.readUInt32BE(0)}`);
      case HEADERS: {
        let start = 0;
        let end = payload.length;
        if ((flags & PADDED) !== 0) {
          end -= payload[0]!;
          start = 1;
        }
        if ((flags & PRIORITY) !== 0) start += 5;
        this.#block = { stream, parts: [payload.subarray(start, end)], endStream: (flags & END_STREAM) !== 0 };
        if ((flags & END_HEADERS) !== 0) this.#endBlock();
        return;
      }
      case CONTINUATION:
        if (this.#block === null || this.#block.stream !== stream) throw new Error('unexpected CONTINUATION');
        this.#block.parts.push(payload);
        if ((flags & END_HEADERS) !== 0) this.#endBlock();
        return;
      case DATA: {
        const p = this.#pending.get(stream);
        if (p === undefined) return;
        let start = 0;
        let end = payload.length;
        if ((flags & PADDED) !== 0) {
          end -= payload[0]!;
          start = 1;
        }
        p.res.body = Buffer.concat([p.res.body, payload.subarray(start, end)]);
        // Give the flow-control credit straight back (RFC 9113 §6.9), connection and stream.
        if (payload.length > 0) {
          const inc = Buffer.alloc(4);
          inc.writeUInt32BE(payload.length);
          this.#sock.write(Buffer.concat([frame(WINDOW_UPDATE, 0, 0, inc), frame(WINDOW_UPDATE, 0, stream, inc)]));
        }
        if ((flags & END_STREAM) !== 0) this.#done(stream);
        return;
      }
      default:
        return; // WINDOW_UPDATE, PRIORITY, unknown: nothing to do for small responses
    }
  }

  #endBlock(): void {
    const b = this.#block!;
    this.#block = null;
    const block = Buffer.concat(b.parts);
    // Every block goes through the decoder, trailers included, to keep its table in step.
    const fields = this.decoder.decode(block);
    const p = this.#pending.get(b.stream);
    if (p !== undefined && !p.headersDone) {
      p.headersDone = true;
      p.res.fields = fields;
      p.res.blockBytes = block.length;
    }
    if (b.endStream) this.#done(b.stream);
  }

  #done(stream: number): void {
    const p = this.#pending.get(stream);
    if (p === undefined) return;
    this.#pending.delete(stream);
    p.resolve(p.res);
  }
}
