// Where each read of a connection lands when its socket reads through Node's `onread` (plain
// TCP, or TLS straight to the target). conn.ts asks; dial.ts installs the answer, which Node
// takes for the next read right after delivering the previous one. Three places:
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
  /** Which kind of buffer is installed for the next read. */
  #installed: NextRead['kind'] = 'shared';
  /** The own buffer installed, or kept for another read (its last read was copied out). */
  #own: Buffer | null = null;
  /**
   * Whether the read being delivered landed in memory that will be read into again: the body
   * must copy what it keeps of it. False for an own buffer handed over, and for a direct target.
   */
  reused = true;

  constructor(shared: Buffer) {
    this.#shared = shared;
  }

  /** A read of `n` bytes arrived in the installed buffer; decides `reused` before it is parsed. */
  landed(n: number): void {
    switch (this.#installed) {
      case 'shared':
        this.reused = true;
        return;
      case 'direct':
        this.reused = false; // the bytes are already where they belong
        return;
      case 'stream':
        // A good part of the buffer: the body keeps it, and the next read gets a fresh one.
        this.reused = n * KEEP_SHARE < this.#own!.length;
        if (!this.reused) this.#own = null;
    }
  }

  /** The buffer for the next read. */
  next(what: NextRead): Buffer {
    this.#installed = what.kind;
    if (what.kind === 'shared') {
      this.#own = null;
      return this.#shared;
    }
    if (what.kind === 'direct') return what.into;
    const want = what.remaining < 0 ? STREAM_READ_BYTES : Math.min(what.remaining, STREAM_READ_BYTES);
    const own = this.#own;
    return own !== null && own.length >= want ? own : (this.#own = Buffer.allocUnsafe(want));
  }
}
