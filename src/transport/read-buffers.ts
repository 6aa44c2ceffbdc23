// Where each read of a plain-TCP connection lands (conn.ts asks; dial.ts installs the answer
// through Node's `onread`, which takes the buffer for the next read right after delivering the
// previous one). Three places:
//   - the process-wide shared buffer (dial.ts), for heads and small bodies: whatever is kept of
//     a read there is copied out before the next one;
//   - the final buffer of a body that bytes() collects (body.ts collectDirect): no copy at all;
//   - a buffer of the connection's own while a large body streams, handed to the body whole
//     (no copy) when a read fills a good part of it, reused when a read brings only a little
//     (then the little is copied out, so a trickling body does not pin a large buffer per chunk).
//
// Why large reads: on loopback against nginx, 8 connections streaming 1 MiB bodies, 64 KiB
// reads cost the client ~490 µs of system time per MiB and 256 KiB reads ~190 µs. With small
// reads every read frees a little receive window and the ACK it triggers runs the server's
// transmit path (tcp_write_xmit) on the reading CPU; one large read per burst lets the kernel
// batch that work. Larger still (512 KiB and up) is slower again: such buffers are fresh mmap'd
// memory each time, and their page faults cost more than the reads save.

/** Reads of a streaming body go into buffers of up to this size. */
export const STREAM_READ_BYTES = 256 * 1024;

/** A body with more than this still to come streams into buffers of its own. */
export const STREAM_ABOVE_BYTES = 16 * 1024;

/** A read filling less than this share of an own buffer is copied out, and the buffer reused. */
const KEEP_SHARE = 4;

/** What the connection knows about the next read (conn.ts #nextRead). */
export type NextRead =
  /** No large body streaming: heads, small bodies, a drain, an idle connection. */
  | { kind: 'shared' }
  /** A large body streams; `remaining` is -1 when its length is not known (chunked, until close). */
  | { kind: 'stream'; remaining: number }
  /** bytes() collects the body: read straight into its final buffer. */
  | { kind: 'direct'; into: Buffer };

export class ReadBuffers {
  readonly #shared: Buffer;
  /** The buffer installed for the next read. */
  #installed: Buffer;
  /** An own buffer that may serve another read (its last read was copied out). */
  #own: Buffer | null = null;
  /**
   * Whether the read being delivered landed in memory that will be read into again: the body
   * must copy what it keeps of it. False for an own buffer handed over, and for a direct target.
   */
  reused = true;

  constructor(shared: Buffer) {
    this.#shared = shared;
    this.#installed = shared;
  }

  /** A read arrived in `buf` (a view of the installed buffer); decides `reused` before it is parsed. */
  landed(buf: Buffer): void {
    const installed = this.#installed;
    if (installed === this.#shared) {
      this.reused = true;
      return;
    }
    const own = this.#own;
    if (own === null || buf.buffer !== own.buffer) {
      this.reused = false; // a direct target: the bytes are already where they belong
      return;
    }
    if (buf.length * KEEP_SHARE >= own.length) {
      this.#own = null; // the body keeps this buffer; the next read gets a fresh one
      this.reused = false;
    } else {
      this.reused = true;
    }
  }

  /** The buffer for the next read. */
  next(what: NextRead): Buffer {
    let buf: Buffer;
    if (what.kind === 'shared') {
      this.#own = null;
      buf = this.#shared;
    } else if (what.kind === 'direct') {
      buf = what.into;
    } else {
      const want = what.remaining < 0 ? STREAM_READ_BYTES : Math.min(what.remaining, STREAM_READ_BYTES);
      const own = this.#own;
      buf = own !== null && own.length >= want ? own : (this.#own = Buffer.allocUnsafe(want));
    }
    this.#installed = buf;
    return buf;
  }
}
