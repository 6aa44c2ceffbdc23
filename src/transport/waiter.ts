// A request waiting for a connection (Go's wantConn). It is settled exactly once: by a freed
// connection, by its own dial, by a dial error, by cancellation or by transport.close().
// Whoever loses the race learns it from deliver()/fail() returning false and keeps what it had.

import type { Cancel } from '../cancel.js';

export class Waiter<T> {
  settled = false;
  /** Handed to the dial this waiter starts (the request's trace: Go reports dials to the request that caused them). */
  ctx: unknown = null;
  /** When it was queued for maxConnsPerHost (the pool's clock), or -1: how long the cap made it wait. */
  queuedAt = -1;
  readonly promise: Promise<T>;
  #resolve!: (v: T) => void;
  #reject!: (e: unknown) => void;
  readonly #cancel: Cancel | null;
  readonly #onSettle: (w: Waiter<T>) => void;
  #onAbort: (() => void) | null = null;

  constructor(cancel: Cancel | null, onSettle: (w: Waiter<T>) => void) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#cancel = cancel;
    this.#onSettle = onSettle;
    if (cancel !== null) {
      if (cancel.aborted) {
        queueMicrotask(() => this.fail(cancel.reason));
      } else {
        this.#onAbort = () => this.fail(cancel.reason);
        cancel.on(this.#onAbort);
      }
    }
  }

  deliver(value: T): boolean {
    if (this.settled) return false;
    this.#settle();
    this.#resolve(value);
    return true;
  }

  fail(err: unknown): boolean {
    if (this.settled) return false;
    this.#settle();
    this.#reject(err);
    return true;
  }

  #settle(): void {
    this.settled = true;
    if (this.#onAbort !== null) this.#cancel!.off(this.#onAbort);
    this.#onSettle(this);
  }
}
