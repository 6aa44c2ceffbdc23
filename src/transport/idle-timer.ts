// The body idle clock (bodyIdleTimeout, undici's bodyTimeout) at one timer per exchange, re-armed
// lazily: a chunk only records the time (no timer call per chunk); when the timer fires it checks
// how long ago bytes last came and, if that is under the limit, sleeps for the rest. Time the
// caller is not reading (the body paused for backpressure) does not count: pause stops the
// clock, resume starts it again from zero, so a slow reader is never blamed on the server.

export class IdleTimer {
  readonly ms: number;
  readonly #expired: () => void;
  #last: number;
  #timer: NodeJS.Timeout | null = null;
  #paused = false;
  #stopped = false;

  /** Starts the clock now; `expired` runs once if `ms` pass with no bytes while not paused. */
  constructor(ms: number, expired: () => void) {
    this.ms = ms;
    this.#expired = expired;
    this.#last = performance.now();
    this.#arm(ms);
  }

  /** Bytes arrived. */
  touch(): void {
    this.#last = performance.now();
  }

  /** The caller stopped reading: the clock stops (the armed timer, when it fires, just lapses). */
  pause(): void {
    this.#paused = true;
  }

  /** The caller reads again: the clock restarts from zero. */
  resume(): void {
    if (this.#stopped || !this.#paused) return;
    this.#paused = false;
    this.#last = performance.now();
    if (this.#timer === null) this.#arm(this.ms);
  }

  /** The body ended, failed or was abandoned. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#fire(), ms);
    // The connection's socket keeps the process alive while a body is awaited; the timer need not.
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = null;
    if (this.#stopped || this.#paused) return;
    const idle = performance.now() - this.#last;
    if (idle >= this.ms) {
      this.#stopped = true;
      this.#expired();
    } else this.#arm(this.ms - idle);
  }
}
