// The client side of the HTTP/2 stream state machine (RFC 9113 §5.1) and stream identifiers
// (§5.1.1). Pure: no sockets, no timers. The connection asks nextState() before acting on a
// frame it received or is about to send, keeps the state per open stream, and asks
// StreamIds / RecentlyReset about a frame whose stream it no longer (or never) tracked.
//
// The client never reaches "reserved": push is off (SETTINGS_ENABLE_PUSH 0), and the frame
// reader refuses PUSH_PROMISE as a connection error PROTOCOL_ERROR (§6.6, §8.4). "closed" is
// split by how it was reached, since §5.1 treats late frames differently for each.
// What §8.1 asks of the frames' content (HEADERS before DATA, one final response, trailers
// carrying END_STREAM) is the message layer's, not this machine's.

import { connectionError, streamError, type H2FrameError } from './frames/error.js';
import { H2Code, MAX_WINDOW_SIZE } from './frames/types.js';

export const StreamState = {
  IDLE: 0,
  /** HEADERS sent, neither side has ended. */
  OPEN: 1,
  /** We sent END_STREAM; the response is still coming. */
  HALF_CLOSED_LOCAL: 2,
  /** The peer sent END_STREAM; we may still be sending the request body. */
  HALF_CLOSED_REMOTE: 3,
  /** Both sides sent END_STREAM. */
  CLOSED: 4,
  /** We sent RST_STREAM: frames already in flight from the peer are ignored (§5.1). */
  CLOSED_RESET_SENT: 5,
  /** The peer sent RST_STREAM. */
  CLOSED_RESET_RECEIVED: 6,
} as const;
export type StreamStateValue = (typeof StreamState)[keyof typeof StreamState];

/**
 * What happens on a stream. END_STREAM is a flag on HEADERS and DATA, given as its own event
 * after the frame's (SEND_DATA then SEND_END_STREAM), so one table covers both frame types.
 */
export const StreamEvent = {
  SEND_HEADERS: 0,
  SEND_DATA: 1,
  SEND_END_STREAM: 2,
  SEND_RST: 3,
  RECV_HEADERS: 4,
  RECV_DATA: 5,
  RECV_END_STREAM: 6,
  RECV_RST: 7,
  RECV_WINDOW_UPDATE: 8,
  RECV_PRIORITY: 9,
} as const;
export type StreamEventValue = (typeof StreamEvent)[keyof typeof StreamEvent];

const STATE_NAMES = Object.keys(StreamState);
const EVENT_NAMES = Object.keys(StreamEvent);

export function isClosed(state: StreamStateValue): boolean {
  return state >= StreamState.CLOSED;
}

function misuse(state: StreamStateValue, event: StreamEventValue, streamId: number): never {
  // Our own code sending what §5.1 forbids in this state: a bug, never the peer's doing.
  throw new Error(`stream ${streamId}: cannot ${EVENT_NAMES[event]} in state ${STATE_NAMES[state]} (RFC 9113 §5.1)`);
}

/**
 * The state after `event` on stream `streamId` in `state`, or the error §5.1 prescribes for a
 * received frame (connection scope: GOAWAY; stream scope: RST_STREAM). When the state before
 * is one of the closed ones and no error is returned, the frame is to be ignored (its DATA
 * still counted on the connection's receive window, §6.9). A send the state forbids throws.
 * No allocation unless an error is returned.
 */
export function nextState(state: StreamStateValue, event: StreamEventValue, streamId: number): StreamStateValue | H2FrameError {
  const S = StreamState;
  const E = StreamEvent;
  // PRIORITY may arrive in any state and changes none (§5.1, §6.3); RFC 9218 deprecates its meaning.
  if (event === E.RECV_PRIORITY) return state;
  switch (state) {
    case S.IDLE:
      if (event === E.SEND_HEADERS) return S.OPEN;
      if (event <= E.SEND_RST) return misuse(state, event, streamId);
      // §5.1 idle: anything but HEADERS or PRIORITY is a connection error PROTOCOL_ERROR; and a
      // HEADERS on a stream the client never opened is the server opening a stream, which it
      // may not (§5.1.1, push is off): also PROTOCOL_ERROR. §6.4 names RST_STREAM, §6.9 WINDOW_UPDATE.
      return connectionError(H2Code.PROTOCOL_ERROR, streamId, `${EVENT_NAMES[event]} on idle stream ${streamId}`);

    case S.OPEN:
      if (event === E.SEND_END_STREAM) return S.HALF_CLOSED_LOCAL;
      if (event === E.RECV_END_STREAM) return S.HALF_CLOSED_REMOTE;
      if (event === E.SEND_RST || event === E.RECV_RST) return event === E.SEND_RST ? S.CLOSED_RESET_SENT : S.CLOSED_RESET_RECEIVED;
      return S.OPEN; // HEADERS (response, 1xx, trailers), DATA, WINDOW_UPDATE

    case S.HALF_CLOSED_LOCAL:
      // §5.1: we may send only WINDOW_UPDATE, PRIORITY, RST_STREAM; the peer anything.
      if (event === E.SEND_RST) return S.CLOSED_RESET_SENT;
      if (event <= E.SEND_END_STREAM) return misuse(state, event, streamId);
      if (event === E.RECV_END_STREAM) return S.CLOSED;
      if (event === E.RECV_RST) return S.CLOSED_RESET_RECEIVED;
      return S.HALF_CLOSED_LOCAL;

    case S.HALF_CLOSED_REMOTE:
      if (event === E.SEND_END_STREAM) return S.CLOSED;
      if (event === E.SEND_RST) return S.CLOSED_RESET_SENT;
      if (event === E.SEND_HEADERS || event === E.SEND_DATA) return S.HALF_CLOSED_REMOTE;
      if (event === E.RECV_RST) return S.CLOSED_RESET_RECEIVED;
      if (event === E.RECV_WINDOW_UPDATE) return S.HALF_CLOSED_REMOTE;
      // §5.1 half-closed (remote): other frames are a stream error STREAM_CLOSED.
      return streamError(H2Code.STREAM_CLOSED, streamId, `${EVENT_NAMES[event]} on stream ${streamId} after the peer's END_STREAM`);

    case S.CLOSED:
      if (event <= E.SEND_RST) return misuse(state, event, streamId);
      // §5.1 closed: WINDOW_UPDATE or RST_STREAM may arrive shortly after our END_STREAM: ignored.
      if (event === E.RECV_WINDOW_UPDATE || event === E.RECV_RST) return S.CLOSED;
      // Frames after the peer's END_STREAM: a connection error STREAM_CLOSED (§5.1).
      return connectionError(H2Code.STREAM_CLOSED, streamId, `${EVENT_NAMES[event]} on closed stream ${streamId}`);

    case S.CLOSED_RESET_SENT:
      if (event <= E.SEND_RST) return misuse(state, event, streamId);
      // §5.1: frames the peer sent before it saw our RST_STREAM MUST be ignored. How many is
      // bounded by RecentlyReset once the connection forgets the stream.
      return S.CLOSED_RESET_SENT;

    case S.CLOSED_RESET_RECEIVED:
      if (event <= E.SEND_RST) return misuse(state, event, streamId);
      // §5.1: after receiving RST_STREAM, anything but PRIORITY is a stream error STREAM_CLOSED;
      // but a second RST_STREAM is ignored, since the answer would be an RST_STREAM and §5.4.2
      // forbids answering one with another (no loops).
      if (event === E.RECV_RST) return S.CLOSED_RESET_RECEIVED;
      return streamError(H2Code.STREAM_CLOSED, streamId, `${EVENT_NAMES[event]} on stream ${streamId} after the peer's RST_STREAM`);

    default:
      throw new Error(`unknown stream state ${String(state)}`);
  }
}

/** The largest stream identifier (§5.1.1: 31 bits). */
export const MAX_STREAM_ID = MAX_WINDOW_SIZE;

/**
 * Client stream identifiers: odd, increasing, never reused (§5.1.1). When they run out the
 * connection must be retired (no new streams; §5.1.1 says a new connection is needed), which
 * next() signals by returning 0 rather than throwing: it is the normal end of a long connection.
 */
export class StreamIds {
  private nextId: number;

  /** @param first 1 normally; 3 after an h2c upgrade took stream 1 (§3.2 of RFC 7540); tests start near the end. */
  constructor(first = 1) {
    if (!Number.isInteger(first) || first < 1 || first % 2 === 0 || first > MAX_STREAM_ID) throw new RangeError(`first client stream id ${first} must be odd, 1..2^31-1`);
    this.nextId = first;
  }

  /** The next id to open, or 0 when none is left: retire the connection. */
  next(): number {
    const id = this.nextId;
    if (id > MAX_STREAM_ID) return 0;
    this.nextId = id + 2;
    return id;
  }

  /** No id left: the connection takes no new streams. */
  get exhausted(): boolean {
    return this.nextId > MAX_STREAM_ID;
  }

  /** The highest id handed out, 0 if none. */
  get last(): number {
    return this.nextId - 2 > 0 ? this.nextId - 2 : 0;
  }

  /**
   * For a frame received on a stream the connection holds no state for: the connection error
   * its id calls for, or null when it names a client stream opened before (closed since).
   * Even ids (server-initiated) are PROTOCOL_ERROR: push is off, so the server opens none
   * (§5.1.1, §8.4). Odd ids not yet opened are idle streams; the frame is PROTOCOL_ERROR (§5.1),
   * PRIORITY excepted (§6.3), for which null is returned too.
   */
  checkUntracked(streamId: number, event: StreamEventValue): H2FrameError | null {
    if (streamId % 2 === 0) {
      if (event === StreamEvent.RECV_PRIORITY) return null;
      return connectionError(H2Code.PROTOCOL_ERROR, streamId, `frame on server-initiated stream ${streamId} with push disabled`);
    }
    if (streamId >= this.nextId) {
      const r = nextState(StreamState.IDLE, event, streamId);
      return typeof r === 'number' ? null : r;
    }
    return null;
  }
}

export interface RecentlyResetOptions {
  /** How many reset streams are remembered (a ring). Size it to the streams one connection may reset while frames are in flight: at least SETTINGS_MAX_CONCURRENT_STREAMS for a busy connection. Default 64. */
  capacity?: number;
  /** Frames other than DATA ignored per reset stream before the peer is deemed flooding. Default 100. */
  maxFrames?: number;
}

/**
 * Streams we reset and have forgotten, for the frames the peer sent before it saw our
 * RST_STREAM. §5.1 says to ignore them and lets an endpoint limit for how long; a bound is
 * needed so a peer cannot keep a stream "closing" forever (the RST flood advisories).
 *
 * The rule, per frame on a forgotten stream whose id the StreamIds accepted:
 * - in the ring: ignore it. DATA is charged against what the stream's receive window still
 *   allowed when we reset it: beyond that the peer broke flow control, a connection error
 *   FLOW_CONTROL_ERROR (§6.9.1; the DATA still counts on the connection window, §6.9). Other
 *   frames are counted: beyond maxFrames, a connection error ENHANCE_YOUR_CALM (§7).
 * - not in the ring (closed by END_STREAMs, or reset long ago): WINDOW_UPDATE, RST_STREAM and
 *   PRIORITY are ignored (§5.1 closed); DATA and HEADERS are a connection error STREAM_CLOSED
 *   (§5.1: the period of ignoring frames after a reset may be limited; this is that limit).
 * Fixed-size arrays: no allocation after construction, unless an error is returned.
 */
export class RecentlyReset {
  readonly capacity: number;
  readonly maxFrames: number;
  private readonly ids: Int32Array;
  private readonly windows: Float64Array;
  private readonly frames: Int32Array;
  private head = 0;

  constructor(options: RecentlyResetOptions = {}) {
    this.capacity = options.capacity ?? 64;
    this.maxFrames = options.maxFrames ?? 100;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new RangeError(`capacity ${this.capacity} must be a positive integer`);
    this.ids = new Int32Array(this.capacity); // 0: empty slot (stream 0 is never reset)
    this.windows = new Float64Array(this.capacity);
    this.frames = new Int32Array(this.capacity);
  }

  /** We sent RST_STREAM on `streamId`, whose receive window had `window` octets left for the peer. The oldest entry goes. */
  add(streamId: number, window: number): void {
    const i = this.head;
    this.ids[i] = streamId;
    this.windows[i] = window;
    this.frames[i] = 0;
    this.head = i + 1 === this.capacity ? 0 : i + 1;
  }

  has(streamId: number): boolean {
    return this.indexOf(streamId) >= 0;
  }

  private indexOf(streamId: number): number {
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] === streamId) return i;
    return -1;
  }

  /**
   * A frame received on a forgotten client stream (one StreamIds.checkUntracked accepted).
   * `length` is the DATA payload length (padding included), 0 for other frames. Returns null:
   * ignore the frame; or the connection error to send.
   */
  onFrame(streamId: number, event: StreamEventValue, length = 0): H2FrameError | null {
    if (event === StreamEvent.RECV_PRIORITY) return null;
    const i = this.indexOf(streamId);
    if (i < 0) {
      if (event === StreamEvent.RECV_WINDOW_UPDATE || event === StreamEvent.RECV_RST) return null;
      return connectionError(H2Code.STREAM_CLOSED, streamId, `frame on closed stream ${streamId}`);
    }
    if (event === StreamEvent.RECV_DATA) {
      if (length > this.windows[i]!) {
        return connectionError(H2Code.FLOW_CONTROL_ERROR, streamId, `DATA of ${length} octets on reset stream ${streamId} beyond its window of ${this.windows[i]}`);
      }
      this.windows[i]! -= length;
      return null;
    }
    if (event === StreamEvent.RECV_END_STREAM) return null;
    if (++this.frames[i]! > this.maxFrames) {
      return connectionError(H2Code.ENHANCE_YOUR_CALM, streamId, `more than ${this.maxFrames} frames on reset stream ${streamId}`);
    }
    return null;
  }
}
