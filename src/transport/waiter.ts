// A request waiting for a connection (Go's wantConn). It is settled exactly once: by a freed
// connection, by its own dial, by a dial error, by its AbortSignal or by transport.close().
// Whoever loses the race learns it from deliver()/fail() returning false and keeps what it had.

import { AbortedError, type HttpoolError } from '../errors.js';

export class Waiter<T> {
  settled = false;
  readonly promise: Promise<T>;
  #resolve!: (v: T) => void;
  #reject!: (e: unknown) => void;
  readonly #signal: AbortSignal | null;
  readonly #onSettle: (w: Waiter<T>) => void;
  readonly #onAbort: (() => void) | null = null;

  constructor(signal: AbortSignal | null, onSettle: (w: Waiter<T>) => void) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#signal = signal;
    this.#onSettle = onSettle;
    if (signal !== null) {
      if (signal.aborted) {
        this.#onAbort = null;
        queueMicrotask(() => this.fail(abortReason(signal)));
      } else {
        this.#onAbort = () => this.fail(abortReason(signal));
        signal.addEventListener('abort', this.#onAbort, { once: true });
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
    if (this.#onAbort !== null) this.#signal!.removeEventListener('abort', this.#onAbort);
    this.#onSettle(this);
  }
}

/** The error a fired signal stands for: its reason when that is ours (a timeout), else ERR_ABORTED. */
export function abortReason(signal: AbortSignal): HttpoolError {
  const r: unknown = signal.reason;
  if (r instanceof Error && 'code' in r && typeof (r as HttpoolError).code === 'string' && r.constructor.name !== 'DOMException') {
    return r as HttpoolError;
  }
  return new AbortedError('ERR_ABORTED', 'request aborted', { cause: r });
}
