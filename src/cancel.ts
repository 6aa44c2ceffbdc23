// A cheap cancellation token for the request path. Node's AbortSignal is an EventTarget:
// creating one and adding and removing a listener per request cost a quarter of the
// throughput in profiles. The transport listens on this instead; a caller's AbortSignal is
// bridged into it only when one is given.

import { AbortedError, type HttpoolError } from './errors.js';
import type { Request } from './request.js';

/**
 * Who is told of a cancellation: a function, or an object with `cancelled()`. The object form
 * lets the exchange in flight listen without a closure: a closure made per request captured the
 * exchange in a function context, and under load V8 promoted those contexts (with everything
 * they held) to the old generation — tens of MB a second, and the major collections that followed
 * tripled the p99 at 50 concurrent requests.
 */
export type CancelListener = (() => void) | { cancelled(): void };

function notify(l: CancelListener): void {
  if (typeof l === 'function') l();
  else l.cancelled();
}

export class Cancel {
  reason: HttpoolError | null = null;
  /** Bridged by the transport from req.signal (no Client did it), so the transport releases it. */
  ownedByTransport = false;
  // Almost always one listener at a time (the exchange in flight): a slot, then a list.
  #one: CancelListener | null = null;
  #more: CancelListener[] | null = null;
  #unlink: (() => void) | null = null;

  /** Stop listening to the bridged AbortSignal: a long-lived signal must not collect a listener per request. */
  release(): void {
    this.#unlink?.();
    this.#unlink = null;
  }

  /** @internal */
  link(unlink: () => void): void {
    this.#unlink = unlink;
  }

  get aborted(): boolean {
    return this.reason !== null;
  }

  abort(reason: HttpoolError): void {
    if (this.reason !== null) return;
    this.reason = reason;
    const one = this.#one;
    const more = this.#more;
    this.#one = null;
    this.#more = null;
    if (one !== null) notify(one);
    if (more !== null) for (const l of more) notify(l);
  }

  /** Tells `l` when aborted (not if already aborted: check `aborted` first). */
  on(l: CancelListener): void {
    if (this.#one === null) this.#one = l;
    else (this.#more ??= []).push(l);
  }

  off(l: CancelListener): void {
    if (this.#one === l) {
      this.#one = null;
      return;
    }
    const more = this.#more;
    if (more === null) return;
    const i = more.indexOf(l);
    if (i >= 0) more.splice(i, 1);
  }
}

/** The Client attaches its token (timeout + caller's signal) to each hop it sends. */
export function attachCancel(req: Request, cancel: Cancel): void {
  req._cancel = cancel;
}

/** The token for a request: the Client's, else one bridged from req.signal, else null. */
export function cancelFor(req: Request): Cancel | null {
  const c = req._cancel;
  if (c !== null) return c;
  if (req.signal === null) return null;
  const bridged = fromSignal(req.signal);
  bridged.ownedByTransport = true;
  req._cancel = bridged;
  return bridged;
}

export function fromSignal(signal: AbortSignal): Cancel {
  const c = new Cancel();
  if (signal.aborted) {
    c.abort(signalReason(signal));
  } else {
    const onAbort = (): void => c.abort(signalReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    c.link(() => signal.removeEventListener('abort', onAbort));
  }
  return c;
}

/** The error a fired signal stands for: its reason when that is one of ours, else ERR_ABORTED. */
export function signalReason(signal: AbortSignal): HttpoolError {
  const r: unknown = signal.reason;
  if (r instanceof Error && typeof (r as HttpoolError).code === 'string' && (r as HttpoolError).code.startsWith('ERR_') && 'method' in r) {
    return r as HttpoolError;
  }
  return new AbortedError('ERR_ABORTED', 'request aborted', { cause: r });
}
