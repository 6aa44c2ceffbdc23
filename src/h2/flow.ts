// HTTP/2 flow-control accounting (RFC 9113 §5.2, §6.9): one SendWindow per direction we send in
// (the connection's and each stream's: what the peer lets us send) and one ReceiveWindow per
// direction the peer sends in (what we let it send). Pure: no sockets, no timers, plain number
// counters and no allocation on the success path. The connection owns one of each for stream 0
// and one of each per open stream; only DATA is flow-controlled, and a DATA frame's whole
// payload counts, Pad Length octet and padding included (§6.1, §6.9.1).
//
// Errors are returned, not thrown (null when all is well), so the connection decides: a
// connection-scope H2FrameError means GOAWAY and close (§5.4.1), a stream-scope one RST_STREAM
// for that stream only (§5.4.2). Misuse by our own code (sending more than the window allows)
// throws a RangeError: that is a bug here, never the peer's doing.

import { connectionError, streamError, type H2FrameError } from './frames/error.js';
import { DEFAULT_INITIAL_WINDOW_SIZE, H2Code, MAX_WINDOW_SIZE } from './frames/types.js';

/**
 * Receive windows the client advertises, from Go's x/net/http2 Transport
 * (transportDefaultConnFlow = 1 << 30, transportDefaultStreamFlow = 4 << 20): large, so one
 * slow reader does not stall a fast link, and bounded per stream by what one response may
 * buffer unread. A stream's is sent as SETTINGS_INITIAL_WINDOW_SIZE; the connection's cannot be
 * set by SETTINGS (§6.9.2), so it is raised from 65,535 by a WINDOW_UPDATE on stream 0 right
 * after the preface (see ReceiveWindow.initialIncrement; Go sends 1 << 30 itself, a window of
 * 1 GiB + 65,535: here the window is the size given).
 */
export const DEFAULT_CONNECTION_RECEIVE_WINDOW = 1 << 30;
export const DEFAULT_STREAM_RECEIVE_WINDOW = 4 << 20;

function flowError(streamId: number, message: string): H2FrameError {
  // A stream's window errs as a stream error, the connection's (stream 0) as a connection
  // error (§6.9.1: "... as a stream error or connection error", by which window overflowed).
  return streamId === 0
    ? connectionError(H2Code.FLOW_CONTROL_ERROR, 0, message)
    : streamError(H2Code.FLOW_CONTROL_ERROR, streamId, message);
}

/**
 * What we may still send on one stream (streamId > 0) or on the connection (streamId 0).
 * The window may be negative after the peer lowers SETTINGS_INITIAL_WINDOW_SIZE (§6.9.2); then
 * nothing may be sent until WINDOW_UPDATEs bring it above zero again.
 */
export class SendWindow {
  readonly streamId: number;
  private window: number;

  /**
   * @param initial for a stream, the peer's SETTINGS_INITIAL_WINDOW_SIZE when it opens; for the
   * connection, 65,535 (§6.9.2: SETTINGS never changes the connection window).
   */
  constructor(streamId: number, initial: number = DEFAULT_INITIAL_WINDOW_SIZE) {
    if (!Number.isInteger(initial) || initial < 0 || initial > MAX_WINDOW_SIZE) {
      throw new RangeError(`initial window ${initial} outside 0..2^31-1`);
    }
    this.streamId = streamId;
    this.window = initial;
  }

  /** Octets we may send now: never negative, 0 while the window is at or below 0. */
  get available(): number {
    return this.window > 0 ? this.window : 0;
  }

  /** The window itself, negative after a SETTINGS decrease (§6.9.2). */
  get size(): number {
    return this.window;
  }

  /** We are sending `n` octets of DATA payload. More than `available` is our bug: RangeError. */
  consume(n: number): void {
    // Against `available`, not the window: a negative window allows 0 octets, not fewer.
    if (n < 0 || n > this.available) throw new RangeError(`stream ${this.streamId}: sending ${n} octets with ${this.available} available`);
    this.window -= n;
  }

  /**
   * A WINDOW_UPDATE from the peer (increment 1..2^31-1; 0 is refused by the frame reader,
   * §6.9). A window pushed past 2^31-1 is FLOW_CONTROL_ERROR (§6.9.1); the window is left as it was.
   */
  update(increment: number): H2FrameError | null {
    if (this.window + increment > MAX_WINDOW_SIZE) {
      return flowError(this.streamId, `WINDOW_UPDATE of ${increment} on a window of ${this.window} passes 2^31-1`);
    }
    this.window += increment;
    return null;
  }

  /**
   * The peer changed SETTINGS_INITIAL_WINDOW_SIZE: every stream window moves by new - old
   * (§6.9.2), and may go negative. Past 2^31-1 it is a connection error FLOW_CONTROL_ERROR
   * whatever the window (§6.9.2 says so explicitly); the window is left as it was. The
   * connection window is never adjusted (§6.9.2), so calling this on stream 0 is a bug.
   */
  adjust(delta: number): H2FrameError | null {
    if (this.streamId === 0) throw new RangeError('SETTINGS_INITIAL_WINDOW_SIZE does not change the connection window (RFC 9113 §6.9.2)');
    if (this.window + delta > MAX_WINDOW_SIZE) {
      return connectionError(
        H2Code.FLOW_CONTROL_ERROR,
        0,
        `SETTINGS_INITIAL_WINDOW_SIZE change of ${delta} takes stream ${this.streamId}'s window of ${this.window} past 2^31-1`,
      );
    }
    this.window += delta;
    return null;
  }
}

export interface ReceiveWindowOptions {
  /**
   * The window the peer starts with, when it differs from `size`: 65,535 for the connection
   * (§6.9.2). The difference is `initialIncrement`, to send at once on stream 0.
   */
  initial?: number;
  /**
   * Send a WINDOW_UPDATE once this many consumed octets are not yet returned. Default half the
   * window, as nghttp2 does (nghttp2_should_send_window_update: consumed >= window / 2); Go
   * returns at 4 KiB or once the unreturned credit reaches what the peer has left, which for a
   * fully used window is the same half. One update then covers many DATA frames (§6.9.1 leaves
   * the timing to the receiver).
   */
  threshold?: number;
}

/**
 * What the peer may still send us on one stream or on the connection, and when to give it
 * more. `size` is fixed (we never change our SETTINGS_INITIAL_WINDOW_SIZE mid-connection).
 *
 * The peer's view: window = size - buffered - pending, where buffered is received and not yet
 * read by the application, pending read but not yet returned by a WINDOW_UPDATE.
 */
export class ReceiveWindow {
  readonly streamId: number;
  readonly size: number;
  readonly threshold: number;
  /** WINDOW_UPDATE increment to send right away to raise the peer's window from `initial` to `size`, or 0. */
  readonly initialIncrement: number;
  private window: number;
  private buffered = 0;
  private unsent = 0;

  constructor(streamId: number, size: number, options: ReceiveWindowOptions = {}) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_WINDOW_SIZE) throw new RangeError(`receive window ${size} outside 1..2^31-1`);
    const initial = options.initial ?? size;
    if (!Number.isInteger(initial) || initial < 0 || initial > size) throw new RangeError(`initial window ${initial} outside 0..${size}`);
    const threshold = options.threshold ?? Math.max(1, Math.floor(size / 2));
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > size) throw new RangeError(`threshold ${threshold} outside 1..${size}`);
    this.streamId = streamId;
    this.size = size;
    this.threshold = threshold;
    this.initialIncrement = size - initial;
    // The initial increment is sent at once, so the peer's window is `size` from here on.
    this.window = size;
  }

  /** The connection's receive window: `size` octets, raised from the RFC's 65,535 (§6.9.2). */
  static connection(size: number = DEFAULT_CONNECTION_RECEIVE_WINDOW, threshold?: number): ReceiveWindow {
    return new ReceiveWindow(0, size, { initial: DEFAULT_INITIAL_WINDOW_SIZE, ...(threshold === undefined ? {} : { threshold }) });
  }

  /** Octets the peer may still send before it must wait for a WINDOW_UPDATE. */
  get available(): number {
    return this.window;
  }

  /** Received and not yet read by the application. */
  get unread(): number {
    return this.buffered;
  }

  /** Read by the application, not yet returned to the peer (below the threshold). */
  get pending(): number {
    return this.unsent;
  }

  /**
   * A DATA frame of payload length `n` arrived (padding included, §6.9.1). More than the
   * window is FLOW_CONTROL_ERROR (§6.9.1: the sender MUST NOT exceed it); the window is left
   * as it was, so a stream error on the stream window leaves the connection window to be
   * charged by the caller as usual.
   */
  received(n: number): H2FrameError | null {
    if (n > this.window) {
      return flowError(this.streamId, `peer sent ${n} octets of DATA with a window of ${this.window}`);
    }
    this.window -= n;
    this.buffered += n;
    return null;
  }

  /**
   * The application read `n` octets (or they were discarded: padding, a reset stream's DATA
   * still counted on the connection window, §6.9). Returns the WINDOW_UPDATE increment to
   * send now, or 0 while the unreturned credit is below the threshold. The sum of the returned
   * increments plus `pending` always equals the octets consumed.
   */
  consumed(n: number): number {
    if (n < 0 || n > this.buffered) throw new RangeError(`stream ${this.streamId}: consumed ${n} octets with ${this.buffered} unread`);
    this.buffered -= n;
    this.unsent += n;
    if (this.unsent < this.threshold) return 0;
    const increment = this.unsent;
    this.unsent = 0;
    this.window += increment;
    return increment;
  }
}
