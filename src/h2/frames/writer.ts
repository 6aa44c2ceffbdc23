// HTTP/2 frame serializers for what a client sends (RFC 9113 §3.4, §4.1, §6). Each writeX()
// writes one frame (HEADERS: with its CONTINUATIONs) into a caller's buffer at an offset and
// returns the offset after it; xSize() says how many octets that takes, so a caller can size
// its buffer once. FrameBuffer batches several frames into one Buffer for one socket write.
//
// Arguments are checked where a wrong one would put a frame on the wire that the peer must
// treat as a connection error (stream ids, increments, sizes): a RangeError, a bug of ours.
// Limits that depend on the peer (its SETTINGS_MAX_FRAME_SIZE for DATA) are the caller's.

import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_SIZE,
  Flag,
  FRAME_HEADER_SIZE,
  FrameType,
  GOAWAY_MIN_PAYLOAD,
  MAX_ALLOWED_FRAME_SIZE,
  MAX_WINDOW_SIZE,
  PING_PAYLOAD,
  PRIORITY_PAYLOAD,
  RST_STREAM_PAYLOAD,
  SETTING_SIZE,
  STREAM_ID_MASK,
  WINDOW_UPDATE_PAYLOAD,
} from './types.js';

function putU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 24;
  buf[off + 1] = (v >>> 16) & 0xff;
  buf[off + 2] = (v >>> 8) & 0xff;
  buf[off + 3] = v & 0xff;
}

/**
 * Copies src[from..to) into buf at off. TypedArray.set measured fastest here, a byte loop for
 * small blocks twice as slow (Node 20); the view is made only when a block is split.
 */
function put(buf: Uint8Array, off: number, src: Uint8Array, from: number, to: number): void {
  buf.set(from === 0 && to === src.length ? src : src.subarray(from, to), off);
}

function checkStreamId(sid: number, zeroAllowed: boolean): void {
  if (!Number.isInteger(sid) || sid < (zeroAllowed ? 0 : 1) || sid > STREAM_ID_MASK) {
    throw new RangeError(`stream id ${sid} out of range`);
  }
}

function checkU32(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new RangeError(`${what} ${v} is not a 32-bit unsigned integer`);
}

/** The 9-octet frame header (§4.1); the reserved bit is written as 0. */
export function writeFrameHeader(buf: Uint8Array, off: number, length: number, type: number, flags: number, streamId: number): number {
  if (length < 0 || length > MAX_ALLOWED_FRAME_SIZE) throw new RangeError(`frame length ${length} out of range`);
  buf[off] = length >>> 16;
  buf[off + 1] = (length >>> 8) & 0xff;
  buf[off + 2] = length & 0xff;
  buf[off + 3] = type;
  buf[off + 4] = flags;
  putU32(buf, off + 5, streamId & STREAM_ID_MASK);
  return off + FRAME_HEADER_SIZE;
}

/** Any frame from its parts (extension frames, tests). */
export function writeFrame(buf: Uint8Array, off: number, type: number, flags: number, streamId: number, payload: Uint8Array): number {
  off = writeFrameHeader(buf, off, payload.length, type, flags, streamId);
  buf.set(payload, off);
  return off + payload.length;
}

/** The client connection preface (§3.4); the client's SETTINGS frame must follow it. */
export function writePreface(buf: Uint8Array, off: number): number {
  buf.set(CLIENT_PREFACE, off);
  return off + CLIENT_PREFACE.length;
}

export function dataSize(dataLength: number): number {
  return FRAME_HEADER_SIZE + dataLength;
}

/** DATA (§6.1), unpadded. `data` must fit the peer's SETTINGS_MAX_FRAME_SIZE (the caller splits). */
export function writeData(buf: Uint8Array, off: number, streamId: number, data: Uint8Array, endStream: boolean): number {
  off = writeDataHeader(buf, off, streamId, data.length, endStream);
  put(buf, off, data, 0, data.length);
  return off + data.length;
}

/**
 * Only the header of a DATA frame of `length` octets, for a caller that writes the payload
 * itself (a large body goes to the socket as it is, after its 9-octet header: no copy).
 */
export function writeDataHeader(buf: Uint8Array, off: number, streamId: number, length: number, endStream: boolean): number {
  checkStreamId(streamId, false);
  return writeFrameHeader(buf, off, length, FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId);
}

/** Octets of a field block of `blockLength` sent as HEADERS + CONTINUATIONs of at most `maxFrameSize`. */
export function headersSize(blockLength: number, maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE): number {
  const frames = blockLength === 0 ? 1 : Math.ceil(blockLength / maxFrameSize);
  return frames * FRAME_HEADER_SIZE + blockLength;
}

/**
 * A field block as HEADERS, then CONTINUATIONs when it exceeds the peer's `maxFrameSize`
 * (§4.3, §6.2, §6.10): END_STREAM on the HEADERS frame (it applies to the stream, §6.2),
 * END_HEADERS on the last frame. The frames are written back to back: nothing may come
 * between them (§4.3), which one write guarantees.
 */
export function writeHeaders(
  buf: Uint8Array,
  off: number,
  streamId: number,
  block: Uint8Array,
  endStream: boolean,
  maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE,
): number {
  checkStreamId(streamId, false);
  if (!Number.isInteger(maxFrameSize) || maxFrameSize < DEFAULT_MAX_FRAME_SIZE || maxFrameSize > MAX_ALLOWED_FRAME_SIZE) {
    throw new RangeError(`maxFrameSize ${maxFrameSize} out of range`);
  }
  let at = Math.min(block.length, maxFrameSize);
  let flags = (endStream ? Flag.END_STREAM : 0) | (at === block.length ? Flag.END_HEADERS : 0);
  off = writeFrameHeader(buf, off, at, FrameType.HEADERS, flags, streamId);
  put(buf, off, block, 0, at);
  off += at;
  while (at < block.length) {
    const n = Math.min(block.length - at, maxFrameSize);
    flags = at + n === block.length ? Flag.END_HEADERS : 0;
    off = writeFrameHeader(buf, off, n, FrameType.CONTINUATION, flags, streamId);
    put(buf, off, block, at, at + n);
    off += n;
    at += n;
  }
  return off;
}

/** SETTINGS with `pairs` identifier/value pairs. */
export function settingsSize(pairs: number): number {
  return FRAME_HEADER_SIZE + pairs * SETTING_SIZE;
}

/** SETTINGS (§6.5): `params` flat identifier, value pairs, sent in that order (§6.5.3). */
export function writeSettings(buf: Uint8Array, off: number, params: readonly number[]): number {
  if (params.length % 2 !== 0) throw new RangeError('SETTINGS params must be identifier, value pairs');
  off = writeFrameHeader(buf, off, (params.length / 2) * SETTING_SIZE, FrameType.SETTINGS, 0, 0);
  for (let i = 0; i < params.length; i += 2) {
    const id = params[i]!;
    const value = params[i + 1]!;
    if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw new RangeError(`SETTINGS identifier ${id} out of range`);
    checkU32('SETTINGS value', value);
    buf[off] = id >>> 8;
    buf[off + 1] = id & 0xff;
    putU32(buf, off + 2, value);
    off += SETTING_SIZE;
  }
  return off;
}

export const SETTINGS_ACK_SIZE = FRAME_HEADER_SIZE;

/** SETTINGS with ACK and no payload (§6.5): sent for each SETTINGS received. */
export function writeSettingsAck(buf: Uint8Array, off: number): number {
  return writeFrameHeader(buf, off, 0, FrameType.SETTINGS, Flag.ACK, 0);
}

export const PING_SIZE = FRAME_HEADER_SIZE + PING_PAYLOAD;

/** PING (§6.7) with 8 opaque octets; an ACK echoes the received ones. */
export function writePing(buf: Uint8Array, off: number, data: Uint8Array, ack: boolean): number {
  if (data.length !== PING_PAYLOAD) throw new RangeError(`PING data must be 8 octets, got ${data.length}`);
  off = writeFrameHeader(buf, off, PING_PAYLOAD, FrameType.PING, ack ? Flag.ACK : 0, 0);
  put(buf, off, data, 0, PING_PAYLOAD);
  return off + PING_PAYLOAD;
}

export function goAwaySize(debugLength = 0): number {
  return FRAME_HEADER_SIZE + GOAWAY_MIN_PAYLOAD + debugLength;
}

/** GOAWAY (§6.8): the last peer-initiated stream processed (0 for a client without push), an error code, optional debug data. */
export function writeGoAway(buf: Uint8Array, off: number, lastStreamId: number, errorCode: number, debug?: Uint8Array): number {
  checkStreamId(lastStreamId, true);
  checkU32('error code', errorCode);
  const n = debug?.length ?? 0;
  off = writeFrameHeader(buf, off, GOAWAY_MIN_PAYLOAD + n, FrameType.GOAWAY, 0, 0);
  putU32(buf, off, lastStreamId);
  putU32(buf, off + 4, errorCode);
  off += GOAWAY_MIN_PAYLOAD;
  if (debug !== undefined) buf.set(debug, off);
  return off + n;
}

export const RST_STREAM_SIZE = FRAME_HEADER_SIZE + RST_STREAM_PAYLOAD;

/** RST_STREAM (§6.4). */
export function writeRstStream(buf: Uint8Array, off: number, streamId: number, errorCode: number): number {
  checkStreamId(streamId, false);
  checkU32('error code', errorCode);
  off = writeFrameHeader(buf, off, RST_STREAM_PAYLOAD, FrameType.RST_STREAM, 0, streamId);
  putU32(buf, off, errorCode);
  return off + RST_STREAM_PAYLOAD;
}

export const WINDOW_UPDATE_SIZE = FRAME_HEADER_SIZE + WINDOW_UPDATE_PAYLOAD;

/** WINDOW_UPDATE (§6.9): stream 0 is the connection window; the increment is 1..2^31-1. */
export function writeWindowUpdate(buf: Uint8Array, off: number, streamId: number, increment: number): number {
  checkStreamId(streamId, true);
  if (!Number.isInteger(increment) || increment < 1 || increment > MAX_WINDOW_SIZE) {
    throw new RangeError(`WINDOW_UPDATE increment ${increment} outside 1..2^31-1`);
  }
  off = writeFrameHeader(buf, off, WINDOW_UPDATE_PAYLOAD, FrameType.WINDOW_UPDATE, 0, streamId);
  putU32(buf, off, increment);
  return off + WINDOW_UPDATE_PAYLOAD;
}

export const PRIORITY_SIZE = FRAME_HEADER_SIZE + PRIORITY_PAYLOAD;

/**
 * PRIORITY (§6.3). The client does not send it (RFC 9113 deprecates the scheme, §5.3.2); it
 * is here so the reader's handling of received ones can be tested from real bytes.
 * `weight` is the wire value 0..255 (weight - 1).
 */
export function writePriority(buf: Uint8Array, off: number, streamId: number, dependency: number, exclusive: boolean, weight: number): number {
  checkStreamId(streamId, false);
  checkStreamId(dependency, true);
  off = writeFrameHeader(buf, off, PRIORITY_PAYLOAD, FrameType.PRIORITY, 0, streamId);
  putU32(buf, off, (exclusive ? 0x8000_0000 : 0) + dependency);
  buf[off + 4] = weight & 0xff;
  return off + PRIORITY_PAYLOAD;
}

/** Default size of FrameBuffer's backing chunks. */
export const FRAME_BUFFER_CHUNK = 64 * 1024;

/**
 * Frames batched for one socket write. Frames are written into a large backing chunk at a
 * moving offset; take() hands out the octets written since the last take() as a view and
 * never writes that region again, so the socket may hold it for as long as it needs (the
 * scheme of Node's own Buffer pool). When a chunk is full a new one is started, carrying over
 * what was not taken yet. No allocation per frame.
 */
const EMPTY_CHUNK = Buffer.alloc(0);

export class FrameBuffer {
  readonly #chunkSize: number;
  #buf: Buffer;
  #start = 0;
  #off = 0;

  constructor(chunkSize: number = FRAME_BUFFER_CHUNK) {
    this.#chunkSize = chunkSize;
    this.#buf = Buffer.allocUnsafe(chunkSize);
  }

  /**
   * Lets the backing chunk go when nothing is pending (an idle connection need not hold one);
   * the next frame allocates a new chunk.
   */
  trim(): void {
    if (this.#off !== this.#start) return;
    this.#buf = EMPTY_CHUNK;
    this.#start = this.#off = 0;
  }

  /** Octets written and not taken. */
  get length(): number {
    return this.#off - this.#start;
  }

  /** The frames written since the last take(), as one Buffer; empty when none. */
  take(): Buffer {
    const out = this.#buf.subarray(this.#start, this.#off);
    this.#start = this.#off;
    return out;
  }

  /**
   * Room for `n` more octets; returns the offset to write at. It may replace #buf, so callers
   * call it before reading #buf (argument order would read the old one first).
   */
  #reserve(n: number): number {
    if (this.#buf.length - this.#off >= n) return this.#off;
    const pending = this.#off - this.#start;
    // Doubling: many frames written before one take() (the ACKs to a read full of SETTINGS)
    // must not copy the pending octets again for every frame.
    const next = Buffer.allocUnsafe(Math.max(this.#chunkSize, 2 * (pending + n)));
    this.#buf.copy(next, 0, this.#start, this.#off);
    this.#buf = next;
    this.#start = 0;
    this.#off = pending;
    return pending;
  }

  preface(): this {
    const at = this.#reserve(CLIENT_PREFACE.length);
    this.#off = writePreface(this.#buf, at);
    return this;
  }

  data(streamId: number, data: Uint8Array, endStream: boolean): this {
    const at = this.#reserve(dataSize(data.length));
    this.#off = writeData(this.#buf, at, streamId, data, endStream);
    return this;
  }

  dataHeader(streamId: number, length: number, endStream: boolean): this {
    const at = this.#reserve(FRAME_HEADER_SIZE);
    this.#off = writeDataHeader(this.#buf, at, streamId, length, endStream);
    return this;
  }

  headers(streamId: number, block: Uint8Array, endStream: boolean, maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE): this {
    const at = this.#reserve(headersSize(block.length, maxFrameSize));
    this.#off = writeHeaders(this.#buf, at, streamId, block, endStream, maxFrameSize);
    return this;
  }

  settings(params: readonly number[]): this {
    const at = this.#reserve(settingsSize(params.length >> 1));
    this.#off = writeSettings(this.#buf, at, params);
    return this;
  }

  settingsAck(): this {
    const at = this.#reserve(SETTINGS_ACK_SIZE);
    this.#off = writeSettingsAck(this.#buf, at);
    return this;
  }

  ping(data: Uint8Array, ack: boolean): this {
    const at = this.#reserve(PING_SIZE);
    this.#off = writePing(this.#buf, at, data, ack);
    return this;
  }

  goAway(lastStreamId: number, errorCode: number, debug?: Uint8Array): this {
    const at = this.#reserve(goAwaySize(debug?.length ?? 0));
    this.#off = writeGoAway(this.#buf, at, lastStreamId, errorCode, debug);
    return this;
  }

  rstStream(streamId: number, errorCode: number): this {
    const at = this.#reserve(RST_STREAM_SIZE);
    this.#off = writeRstStream(this.#buf, at, streamId, errorCode);
    return this;
  }

  windowUpdate(streamId: number, increment: number): this {
    const at = this.#reserve(WINDOW_UPDATE_SIZE);
    this.#off = writeWindowUpdate(this.#buf, at, streamId, increment);
    return this;
  }
}
