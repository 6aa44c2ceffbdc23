// Incremental HTTP/2 frame reader (RFC 9113 §4, §6): the connection feeds it socket chunks of
// any size and split, and it reports each frame through a FrameHandler, one method per frame
// type, as src/h1/parse.ts reports through ParserHandler. Pure: no sockets, no timers.
//
// What it checks is what one frame (or one field block) shows by itself: sizes, the stream id
// being 0 or not, padding, SETTINGS values, WINDOW_UPDATE increments, CONTINUATION sequencing.
// Stream state (idle, closed, flow-control windows) is the connection's.
//
// Errors: a connection error (§5.4.1) is thrown from feed() as an H2FrameError and is sticky:
// every later feed() throws it again, since the peer's framing can no longer be trusted. A
// stream error (§5.4.2) is reported through onStreamError() and reading goes on.
//
// Buffers and copies:
// - A frame whole inside the fed chunk is handed over as a range of that chunk: no copy, and no
//   view made unless the handler makes one (DATA, HEADERS; PING and GOAWAY, rare, get views).
// - A frame split across chunks is gathered: a DATA frame into a buffer of its own (so its
//   payload may be kept, like any DATA view), any other into one reused scratch buffer.
//   At most one frame is ever held: its 9-octet header and up to maxFrameSize payload octets,
//   refused by its header (§4.2) before any payload octet is stored.
// - A field block split into HEADERS/PUSH_PROMISE + CONTINUATION frames is gathered in one
//   reused buffer, at most maxHeaderBlockBytes; a block in a single frame is a range of it.
// - Unknown frame types are skipped without being stored (§4.1, §5.5).
// So DATA payloads may be kept after the callback (as views of the range); header blocks, PING
// data, GOAWAY debug data are valid during the callback only (copy to keep).
//
// The CONTINUATION flood (CVE-2024-27316 and its kin): a peer that opens a field block and
// never ends it. Each CONTINUATION is checked against both bounds from its frame header, before
// its payload is stored: total block payload octets (maxHeaderBlockBytes) and the number of
// CONTINUATION frames (maxContinuationFrames, which stops empty ones). Over either it is a
// connection error ENHANCE_YOUR_CALM: the block cannot be skipped, since HPACK state depends
// on decoding all of it (§4.3, §10.5.1), so the connection goes.

import { connectionError, H2FrameError, streamError } from './error.js';
import {
  DEFAULT_MAX_FRAME_SIZE,
  Flag,
  FRAME_HEADER_SIZE,
  FrameType,
  GOAWAY_MIN_PAYLOAD,
  H2Code,
  MAX_ALLOWED_FRAME_SIZE,
  MAX_WINDOW_SIZE,
  PING_PAYLOAD,
  PRIORITY_PAYLOAD,
  RST_STREAM_PAYLOAD,
  Setting,
  SETTING_SIZE,
  WINDOW_UPDATE_PAYLOAD,
} from './types.js';

/** Default bound on one field block's frame payloads: 64 KiB of HPACK plus room for padding and a frame's worth of slack. */
export const DEFAULT_MAX_HEADER_BLOCK_BYTES = 64 * 1024 + DEFAULT_MAX_FRAME_SIZE;
/**
 * Default bound on CONTINUATION frames after one HEADERS. A server that fills its frames needs
 * 4 for 64 KiB at the minimum frame size; nghttp2 takes 8. 32 leaves room for servers that
 * send smaller frames while stopping a flood of empty ones at once.
 */
export const DEFAULT_MAX_CONTINUATION_FRAMES = 32;

export interface FrameReaderOptions {
  /**
   * Our SETTINGS_MAX_FRAME_SIZE as the peer has acknowledged it (§4.2, §6.5.2); a larger frame
   * is a connection error FRAME_SIZE_ERROR. Default 16384. See setMaxFrameSize().
   */
  maxFrameSize?: number;
  /** Bound on the payload octets of one field block's frames (HEADERS or PUSH_PROMISE + CONTINUATIONs). */
  maxHeaderBlockBytes?: number;
  /** Bound on the CONTINUATION frames of one field block. */
  maxContinuationFrames?: number;
  /**
   * Accept PUSH_PROMISE (reported by onPushPromise). Off: the client sends SETTINGS_ENABLE_PUSH 0
   * and a PUSH_PROMISE is a connection error PROTOCOL_ERROR (§6.6, §8.4).
   */
  allowPush?: boolean;
  /**
   * The octets are a server's from its first: its connection preface, a SETTINGS frame (not
   * an ACK), must come first (§3.4); any other frame first is a connection error
   * PROTOCOL_ERROR, as Go's client has it. Off by default so the reader can start anywhere in a
   * stream (tests); a client connection turns it on.
   */
  serverPreface?: boolean;
}

/** The frames, as the reader reports them. Calls must not feed the same reader (no re-entry). */
export interface FrameHandler {
  /**
   * DATA (§6.1) with padding removed: the data is `buf[start..end)`, a range of the fed chunk
   * when the frame was whole in it, or of a buffer of the frame's own when it was split. Either
   * way the octets are never reused by the reader, so `buf.subarray(start, end)` may be kept (no
   * copy). A range, not a view, so the connection decides whether a view is worth its cost
   * (about 80 ns in Node 20, as much as the rest of reading the frame) or the octets go
   * straight into a body buffer. `flowLength` is the whole frame payload, padding included:
   * what flow control counts (§6.9.1).
   */
  onData(streamId: number, buf: Buffer, start: number, end: number, endStream: boolean, flowLength: number): void;
  /**
   * A complete field block from HEADERS (+ CONTINUATION) (§6.2, §6.10) for HPACK, with padding
   * and priority fields removed: `buf[start..end)`, valid during the call only. A range, not a
   * view: making a Buffer view costs more than the rest of reading a small frame (about 80 ns
   * in Node 20), and the HPACK decoder reads a range as well as a view.
   */
  onHeaders(streamId: number, buf: Buffer, start: number, end: number, endStream: boolean): void;
  /** PUSH_PROMISE (+ CONTINUATION) (§6.6), only with `allowPush`: the field block is `buf[start..end)`, valid during the call only. */
  onPushPromise?(streamId: number, promisedStreamId: number, buf: Buffer, start: number, end: number): void;
  /** RST_STREAM (§6.4). */
  onRstStream(streamId: number, errorCode: number): void;
  /**
   * SETTINGS without ACK (§6.5): identifier, value pairs, flat, in wire order (§6.5.3: applied in
   * order). Known values are range-checked already; unknown identifiers are passed on.
   */
  onSettings(params: number[]): void;
  /** SETTINGS with ACK (§6.5). */
  onSettingsAck(): void;
  /** PING (§6.7): 8 opaque octets, valid during the call only. */
  onPing(data: Buffer, ack: boolean): void;
  /** GOAWAY (§6.8). `debug` is valid during the call only. */
  onGoAway(lastStreamId: number, errorCode: number, debug: Buffer): void;
  /** WINDOW_UPDATE (§6.9); streamId 0 is the connection window. increment is 1..2^31-1. */
  onWindowUpdate(streamId: number, increment: number): void;
  /** A stream error (§5.4.2): reset that stream; the connection goes on. */
  onStreamError(err: H2FrameError): void;
}

/** A field-block buffer up to this size is kept for the next split block; a larger one is dropped once used. */
const KEEP_BLOCK_BUFFER = 16 * 1024;

/** No frame is being gathered. */
const NONE = -1;

function u32(b: Buffer, o: number): number {
  return b[o]! * 0x100_0000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
}

/** A 31-bit stream id at o, the reserved bit dropped (§4.1). */
function u31(b: Buffer, o: number): number {
  return ((b[o]! & 0x7f) << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

export class FrameReader {
  readonly #handler: FrameHandler;
  #maxFrameSize: number;
  readonly #maxBlock: number;
  readonly #maxContinuations: number;
  readonly #allowPush: boolean;
  /** The server's preface SETTINGS has not been seen yet (serverPreface). */
  #awaitPreface: boolean;

  #error: H2FrameError | Error | null = null;

  // A frame header split across chunks.
  readonly #head = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
  #headHave = 0;
  // A frame payload split across chunks: the frame's header fields and what has arrived.
  #len = NONE;
  #type = 0;
  #flags = 0;
  #sid = 0;
  #payload: Buffer | null = null;
  #have = 0;
  /** Octets of an unknown frame still to be skipped. */
  #skip = 0;
  /** Reused for split non-DATA frames; grows to maxFrameSize at most. */
  #scratch: Buffer | null = null;

  // A field block in progress (HEADERS or PUSH_PROMISE without END_HEADERS). #blockSid 0: none.
  #blockSid = 0;
  #blockPromised = 0;
  #blockEndStream = false;
  /** Frame payload octets the block has taken so far, padding included (the bound's measure). */
  #blockWire = 0;
  #blockFrames = 0;
  #block: Buffer | null = null;
  #blockLen = 0;

  constructor(handler: FrameHandler, opts: FrameReaderOptions = {}) {
    this.#handler = handler;
    this.#maxFrameSize = checkFrameSize(opts.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE);
    this.#maxBlock = opts.maxHeaderBlockBytes ?? DEFAULT_MAX_HEADER_BLOCK_BYTES;
    this.#maxContinuations = opts.maxContinuationFrames ?? DEFAULT_MAX_CONTINUATION_FRAMES;
    this.#allowPush = opts.allowPush ?? false;
    this.#awaitPreface = opts.serverPreface ?? false;
  }

  /**
   * Our SETTINGS_MAX_FRAME_SIZE changed and the peer acknowledged it (§6.5.3): frames up to
   * `size` are accepted from now on. The frame already being gathered keeps the old check.
   */
  setMaxFrameSize(size: number): void {
    this.#maxFrameSize = checkFrameSize(size);
  }

  get maxFrameSize(): number {
    return this.#maxFrameSize;
  }

  /** Octets held for frames not yet complete: a header, a payload, a field block. */
  get buffered(): number {
    return this.#headHave + (this.#len === NONE ? 0 : this.#have) + this.#blockLen;
  }

  /** Between frames and outside a field block: a clean place for the connection to end. */
  get idle(): boolean {
    return this.#headHave === 0 && this.#len === NONE && this.#skip === 0 && this.#blockSid === 0;
  }

  /** Reads a chunk; frames are reported before it returns. Throws the connection error, if any (sticky). */
  feed(chunk: Buffer): void {
    if (this.#error !== null) throw this.#error;
    try {
      this.#feed(chunk);
    } catch (err) {
      this.#error = err as Error;
      this.#payload = null;
      this.#block = null;
      this.#scratch = null;
      throw err;
    }
  }

  #feed(chunk: Buffer): void {
    const end = chunk.length;
    let off = 0;
    if (this.#headHave !== 0 || this.#len !== NONE || this.#skip !== 0) {
      off = this.#resume(chunk);
      if (off >= end) return;
    }
    // Whole frames straight from the chunk: the hot path.
    while (end - off >= FRAME_HEADER_SIZE) {
      const len = (chunk[off]! << 16) | (chunk[off + 1]! << 8) | chunk[off + 2]!;
      const type = chunk[off + 3]!;
      const flags = chunk[off + 4]!;
      const sid = u31(chunk, off + 5);
      this.#checkHeader(len, type, flags, sid);
      const start = off + FRAME_HEADER_SIZE;
      if (end - start >= len) {
        this.#frame(type, flags, sid, chunk, start, start + len);
        off = start + len;
        continue;
      }
      this.#begin(len, type, flags, sid);
      this.#gather(chunk, start);
      return;
    }
    if (off < end) {
      chunk.copy(this.#head, 0, off, end);
      this.#headHave = end - off;
    }
  }

  /** Continues the frame left incomplete by earlier chunks; returns the chunk offset after it. */
  #resume(chunk: Buffer): number {
    const end = chunk.length;
    if (this.#skip !== 0 || this.#len !== NONE) return this.#gather(chunk, 0);
    const n = Math.min(FRAME_HEADER_SIZE - this.#headHave, end);
    chunk.copy(this.#head, this.#headHave, 0, n);
    this.#headHave += n;
    if (this.#headHave < FRAME_HEADER_SIZE) return end;
    this.#headHave = 0;
    const h = this.#head;
    const len = (h[0]! << 16) | (h[1]! << 8) | h[2]!;
    const type = h[3]!;
    const flags = h[4]!;
    const sid = u31(h, 5);
    this.#checkHeader(len, type, flags, sid);
    if (end - n >= len) {
      this.#frame(type, flags, sid, chunk, n, n + len);
      return n + len;
    }
    this.#begin(len, type, flags, sid);
    return this.#gather(chunk, n);
  }

  /** Starts gathering a split frame's payload (or skipping it, for an unknown type). */
  #begin(len: number, type: number, flags: number, sid: number): void {
    if (type > FrameType.CONTINUATION) {
      this.#skip = len;
      return;
    }
    this.#len = len;
    this.#type = type;
    this.#flags = flags;
    this.#sid = sid;
    this.#have = 0;
    if (type === FrameType.DATA) {
      this.#payload = Buffer.allocUnsafe(len);
    } else {
      if (this.#scratch === null || this.#scratch.length < len) {
        this.#scratch = Buffer.allocUnsafe(Math.max(len, Math.min(this.#maxFrameSize, 1024)));
      }
      this.#payload = this.#scratch;
    }
  }

  /** Copies from chunk[from..] into the frame being gathered or skips; reports it when complete. */
  #gather(chunk: Buffer, from: number): number {
    if (this.#skip !== 0) {
      const n = Math.min(this.#skip, chunk.length - from);
      this.#skip -= n;
      return from + n;
    }
    const payload = this.#payload!;
    const n = Math.min(this.#len - this.#have, chunk.length - from);
    chunk.copy(payload, this.#have, from, from + n);
    this.#have += n;
    if (this.#have < this.#len) return chunk.length;
    const len = this.#len;
    this.#len = NONE;
    this.#payload = null;
    this.#have = 0;
    this.#frame(this.#type, this.#flags, this.#sid, payload, 0, len);
    return from + n;
  }

  /**
   * Checks made from the frame header alone, before any payload octet is stored: the server
   * preface (§3.4), the size (§4.2) and field-block sequencing with its bounds (§6.2, §6.10).
   */
  #checkHeader(len: number, type: number, flags: number, sid: number): void {
    if (this.#awaitPreface) {
      if (type !== FrameType.SETTINGS || (flags & Flag.ACK) !== 0) {
        throw connectionError(H2Code.PROTOCOL_ERROR, sid, `frame type ${type} before the server's SETTINGS (§3.4)`);
      }
      this.#awaitPreface = false;
    }
    if (len > this.#maxFrameSize) {
      // §4.2: MAY be a stream error for frames that cannot change connection state, but
      // the frame would still have to be read past; as Go does, the connection goes.
      throw connectionError(H2Code.FRAME_SIZE_ERROR, sid, `frame of ${len} octets (type ${type}) over SETTINGS_MAX_FRAME_SIZE ${this.#maxFrameSize}`);
    }
    if (this.#blockSid !== 0) {
      // §6.2, §6.10: a field block is contiguous; anything but CONTINUATION on the same stream, unknown types included (§5.5).
      if (type !== FrameType.CONTINUATION || sid !== this.#blockSid) {
        throw connectionError(H2Code.PROTOCOL_ERROR, sid, `frame type ${type} on stream ${sid} inside the field block of stream ${this.#blockSid} (CONTINUATION expected)`);
      }
      if (++this.#blockFrames > this.#maxContinuations) {
        throw connectionError(H2Code.ENHANCE_YOUR_CALM, sid, `more than ${this.#maxContinuations} CONTINUATION frames in one field block`);
      }
      this.#blockWire += len;
      if (this.#blockWire > this.#maxBlock) {
        throw connectionError(H2Code.ENHANCE_YOUR_CALM, sid, `field block over ${this.#maxBlock} octets`);
      }
    } else if (type === FrameType.CONTINUATION) {
      throw connectionError(H2Code.PROTOCOL_ERROR, sid, 'CONTINUATION without a HEADERS or PUSH_PROMISE before it (§6.10)');
    } else if ((type === FrameType.HEADERS || type === FrameType.PUSH_PROMISE) && len > this.#maxBlock) {
      throw connectionError(H2Code.ENHANCE_YOUR_CALM, sid, `field block over ${this.#maxBlock} octets`);
    }
  }

  /** One complete frame, payload in b[s..e). */
  #frame(type: number, flags: number, sid: number, b: Buffer, s: number, e: number): void {
    switch (type) {
      case FrameType.DATA:
        return this.#data(flags, sid, b, s, e);
      case FrameType.HEADERS:
        return this.#headers(flags, sid, b, s, e);
      case FrameType.PRIORITY:
        return this.#priority(sid, e - s);
      case FrameType.RST_STREAM:
        if (sid === 0) throw connectionError(H2Code.PROTOCOL_ERROR, 0, 'RST_STREAM on stream 0 (§6.4)');
        if (e - s !== RST_STREAM_PAYLOAD) throw connectionError(H2Code.FRAME_SIZE_ERROR, sid, `RST_STREAM of ${e - s} octets, not 4 (§6.4)`);
        return this.#handler.onRstStream(sid, u32(b, s));
      case FrameType.SETTINGS:
        return this.#settings(flags, sid, b, s, e);
      case FrameType.PUSH_PROMISE:
        return this.#pushPromise(flags, sid, b, s, e);
      case FrameType.PING:
        if (sid !== 0) throw connectionError(H2Code.PROTOCOL_ERROR, sid, `PING on stream ${sid} (§6.7)`);
        if (e - s !== PING_PAYLOAD) throw connectionError(H2Code.FRAME_SIZE_ERROR, 0, `PING of ${e - s} octets, not 8 (§6.7)`);
        return this.#handler.onPing(b.subarray(s, e), (flags & Flag.ACK) !== 0);
      case FrameType.GOAWAY:
        if (sid !== 0) throw connectionError(H2Code.PROTOCOL_ERROR, sid, `GOAWAY on stream ${sid} (§6.8)`);
        if (e - s < GOAWAY_MIN_PAYLOAD) throw connectionError(H2Code.FRAME_SIZE_ERROR, 0, `GOAWAY of ${e - s} octets, under 8 (§6.8)`);
        return this.#handler.onGoAway(u31(b, s), u32(b, s + 4), b.subarray(s + 8, e));
      case FrameType.WINDOW_UPDATE:
        return this.#windowUpdate(sid, b, s, e);
      case FrameType.CONTINUATION:
        return this.#continuation(flags, sid, b, s, e);
      default:
        // §4.1, §5.5: unknown types are ignored (a split one never reaches here: skipped).
        return;
    }
  }

  #data(flags: number, sid: number, b: Buffer, s: number, e: number): void {
    if (sid === 0) throw connectionError(H2Code.PROTOCOL_ERROR, 0, 'DATA on stream 0 (§6.1)');
    const flowLength = e - s;
    if ((flags & Flag.PADDED) !== 0) e = unpad(sid, b, s++, e, 1);
    this.#handler.onData(sid, b, s, e, (flags & Flag.END_STREAM) !== 0, flowLength);
  }

  #headers(flags: number, sid: number, b: Buffer, s: number, e: number): void {
    if (sid === 0) throw connectionError(H2Code.PROTOCOL_ERROR, 0, 'HEADERS on stream 0 (§6.2)');
    const priority = (flags & Flag.PRIORITY) !== 0 ? PRIORITY_PAYLOAD : 0;
    const wire = e - s;
    if ((flags & Flag.PADDED) !== 0) e = unpad(sid, b, s++, e, 1 + priority);
    else if (e - s < priority) throw tooShort('HEADERS', sid, e - s);
    // The priority fields (§6.2; deprecated by §5.3.2) are skipped: this client ignores them.
    s += priority;
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if ((flags & Flag.END_HEADERS) !== 0) return this.#handler.onHeaders(sid, b, s, e, endStream);
    this.#openBlock(sid, 0, endStream, wire, b, s, e);
  }

  #pushPromise(flags: number, sid: number, b: Buffer, s: number, e: number): void {
    if (sid === 0) throw connectionError(H2Code.PROTOCOL_ERROR, 0, 'PUSH_PROMISE on stream 0 (§6.6)');
    if (!this.#allowPush) throw connectionError(H2Code.PROTOCOL_ERROR, sid, 'PUSH_PROMISE with SETTINGS_ENABLE_PUSH 0 (§6.6, §8.4)');
    const wire = e - s;
    if ((flags & Flag.PADDED) !== 0) e = unpad(sid, b, s++, e, 1 + 4);
    else if (e - s < 4) throw tooShort('PUSH_PROMISE', sid, e - s);
    const promised = u31(b, s);
    s += 4;
    if ((flags & Flag.END_HEADERS) !== 0) return this.#handler.onPushPromise?.(sid, promised, b, s, e);
    this.#openBlock(sid, promised, false, wire, b, s, e);
  }

  /** Starts gathering a field block; `wire` is the first frame's whole payload (the bound counts it). */
  #openBlock(sid: number, promised: number, endStream: boolean, wire: number, b: Buffer, s: number, e: number): void {
    this.#blockSid = sid;
    this.#blockPromised = promised;
    this.#blockEndStream = endStream;
    this.#blockFrames = 0;
    this.#blockWire = wire;
    this.#blockLen = 0;
    this.#append(b, s, e);
  }

  #continuation(flags: number, sid: number, b: Buffer, s: number, e: number): void {
    // Sequencing, stream id and bounds were checked from the header (#checkHeader); stream 0
    // cannot match an open block, so it was refused there too.
    this.#append(b, s, e);
    if ((flags & Flag.END_HEADERS) === 0) return;
    const block = this.#block!;
    const len = this.#blockLen;
    const promised = this.#blockPromised;
    const endStream = this.#blockEndStream;
    this.#blockSid = 0;
    this.#blockLen = 0;
    this.#blockFrames = 0;
    this.#blockWire = 0;
    // A large block buffer is not kept for the connection's life: idle sessions stay small.
    if (block.length > KEEP_BLOCK_BUFFER) this.#block = null;
    if (promised !== 0) this.#handler.onPushPromise?.(sid, promised, block, 0, len);
    else this.#handler.onHeaders(sid, block, 0, len, endStream);
  }

  #append(b: Buffer, s: number, e: number): void {
    const need = this.#blockLen + (e - s);
    let block = this.#block;
    if (block === null || block.length < need) {
      // Doubling, capped by the bound (#checkHeader keeps `need` under it).
      const grown = Buffer.allocUnsafe(Math.min(Math.max(need, 2 * (block?.length ?? 0), 4096), Math.max(need, this.#maxBlock)));
      if (block !== null) block.copy(grown, 0, 0, this.#blockLen);
      this.#block = block = grown;
    }
    b.copy(block, this.#blockLen, s, e);
    this.#blockLen = need;
  }

  #priority(sid: number, len: number): void {
    if (sid === 0) throw connectionError(H2Code.PROTOCOL_ERROR, 0, 'PRIORITY on stream 0 (§6.3)');
    // §6.3: the wrong size is a stream error; otherwise the frame is ignored (§5.3.2).
    if (len !== PRIORITY_PAYLOAD) this.#handler.onStreamError(streamError(H2Code.FRAME_SIZE_ERROR, sid, `PRIORITY of ${len} octets, not 5 (§6.3)`));
  }

  #settings(flags: number, sid: number, b: Buffer, s: number, e: number): void {
    if (sid !== 0) throw connectionError(H2Code.PROTOCOL_ERROR, sid, `SETTINGS on stream ${sid} (§6.5)`);
    const len = e - s;
    if ((flags & Flag.ACK) !== 0) {
      if (len !== 0) throw connectionError(H2Code.FRAME_SIZE_ERROR, 0, `SETTINGS ACK with ${len} octets of payload (§6.5)`);
      return this.#handler.onSettingsAck();
    }
    if (len % SETTING_SIZE !== 0) throw connectionError(H2Code.FRAME_SIZE_ERROR, 0, `SETTINGS of ${len} octets, not a multiple of 6 (§6.5)`);
    const params: number[] = new Array(len / 3);
    for (let i = 0, o = s; o < e; o += SETTING_SIZE) {
      const id = (b[o]! << 8) | b[o + 1]!;
      const value = u32(b, o + 2);
      checkSetting(id, value);
      params[i++] = id;
      params[i++] = value;
    }
    this.#handler.onSettings(params);
  }

  #windowUpdate(sid: number, b: Buffer, s: number, e: number): void {
    if (e - s !== WINDOW_UPDATE_PAYLOAD) throw connectionError(H2Code.FRAME_SIZE_ERROR, sid, `WINDOW_UPDATE of ${e - s} octets, not 4 (§6.9)`);
    const increment = u31(b, s);
    if (increment === 0) {
      // §6.9: a stream error, unless it is the connection's window.
      if (sid === 0) throw connectionError(H2Code.PROTOCOL_ERROR, 0, 'WINDOW_UPDATE of 0 on the connection (§6.9)');
      return this.#handler.onStreamError(streamError(H2Code.PROTOCOL_ERROR, sid, 'WINDOW_UPDATE of 0 (§6.9)'));
    }
    this.#handler.onWindowUpdate(sid, increment);
  }
}

function checkFrameSize(size: number): number {
  if (!Number.isInteger(size) || size < DEFAULT_MAX_FRAME_SIZE || size > MAX_ALLOWED_FRAME_SIZE) {
    throw new RangeError(`maxFrameSize must be an integer in 16384..16777215, got ${size}`);
  }
  return size;
}

/**
 * Strips padding (§6.1): b[padAt] is the Pad Length, `fixed` the octets the frame needs before
 * the padding (the Pad Length octet and any fixed fields). Returns the end of the content.
 */
function unpad(sid: number, b: Buffer, padAt: number, e: number, fixed: number): number {
  if (e - padAt < fixed) throw tooShort('padded frame', sid, e - padAt);
  const pad = b[padAt]!;
  // §6.1, §6.2: padding as long as the payload or longer (the fixed fields counted) is PROTOCOL_ERROR.
  if (pad > e - padAt - fixed) throw connectionError(H2Code.PROTOCOL_ERROR, sid, `padding of ${pad} octets in a payload of ${e - padAt} (§6.1)`);
  return e - pad;
}

/** §4.2: a frame too small for its mandatory fields is FRAME_SIZE_ERROR; these all carry field-block state, so connection errors. */
function tooShort(what: string, sid: number, len: number): H2FrameError {
  return connectionError(H2Code.FRAME_SIZE_ERROR, sid, `${what} of ${len} octets is too short for its fields (§4.2)`);
}

/** SETTINGS values a client must refuse (§6.5.2). Unknown identifiers are ignored. */
function checkSetting(id: number, value: number): void {
  switch (id) {
    case Setting.ENABLE_PUSH:
      // 0 or 1 only; and a server MUST NOT send 1, a client treats it as PROTOCOL_ERROR.
      if (value > 1) throw connectionError(H2Code.PROTOCOL_ERROR, 0, `SETTINGS_ENABLE_PUSH ${value}, not 0 or 1 (§6.5.2)`);
      if (value === 1) throw connectionError(H2Code.PROTOCOL_ERROR, 0, 'SETTINGS_ENABLE_PUSH 1 from a server (§6.5.2)');
      return;
    case Setting.INITIAL_WINDOW_SIZE:
      if (value > MAX_WINDOW_SIZE) throw connectionError(H2Code.FLOW_CONTROL_ERROR, 0, `SETTINGS_INITIAL_WINDOW_SIZE ${value} over 2^31-1 (§6.5.2)`);
      return;
    case Setting.MAX_FRAME_SIZE:
      if (value < DEFAULT_MAX_FRAME_SIZE || value > MAX_ALLOWED_FRAME_SIZE) {
        throw connectionError(H2Code.PROTOCOL_ERROR, 0, `SETTINGS_MAX_FRAME_SIZE ${value} outside 16384..16777215 (§6.5.2)`);
      }
      return;
    case Setting.ENABLE_CONNECT_PROTOCOL:
      // RFC 8441 §3: 0 or 1.
      if (value > 1) throw connectionError(H2Code.PROTOCOL_ERROR, 0, `SETTINGS_ENABLE_CONNECT_PROTOCOL ${value}, not 0 or 1 (RFC 8441 §3)`);
      return;
    default:
      return;
  }
}
