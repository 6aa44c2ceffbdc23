// A cheap cancellation token for the request path. Node's AbortSignal is an EventTarget:
// creating one and adding and removing a listener per request cost a quarter of the
// throughput in profiles. The transport listens on this instead; a caller's AbortSignal is
// bridged into it only when one is given.

import { AbortedError, type HttpoolError } from './errors.js';
import type { Request } from './request.js';

export class Cancel {
  reason: HttpoolError | null = null;
  /** Bridged by the transport from req.signal (no Client did it), so the transport releases it. */
  ownedByTransport = false;
  #fns: (() => void)[] = [];
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
    const fns = this.#fns;
    this.#fns = [];
    for (const fn of fns) fn();
  }

  /** Calls fn when aborted (not if already aborted: check `aborted` first). */
  on(fn: () => void): void {
    this.#fns.push(fn);
  }

  off(fn: () => void): void {
    const i = this.#fns.indexOf(fn);
    if (i >= 0) this.#fns.splice(i, 1);
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
