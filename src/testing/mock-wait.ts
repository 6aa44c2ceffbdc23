// Waiting inside a MockTransport (a delay, a reply function) the way a network exchange waits:
// cut short by the request's cancellation (the Client's timeout, the caller's signal).

import type { Cancel } from '../cancel.js';
import { Response } from '../response.js';

/** Waits `ms`, or rejects with the cancellation's reason as soon as it fires. */
export function sleep(ms: number, cancel: Cancel | null): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (cancel?.aborted === true) {
      reject(cancel.reason!);
      return;
    }
    const l = {
      cancelled(): void {
        clearTimeout(timer);
        reject(cancel!.reason!);
      },
    };
    const timer = setTimeout(() => {
      cancel?.off(l);
      resolve();
    }, ms);
    cancel?.on(l);
  });
}

/** `p`, or the cancellation's reason if it fires first (a late Response is closed). */
export function untilCancelled<T>(p: Promise<T>, cancel: Cancel | null): Promise<T> {
  if (cancel === null) return p;
  if (cancel.aborted) {
    p.then(closeLate, () => {});
    return Promise.reject(cancel.reason!);
  }
  return new Promise<T>((resolve, reject) => {
    // The Client's deadline timer is unref'd (a socket keeps a network exchange alive): held
    // here, so a reply that never comes times out instead of letting the process exit.
    const alive = setInterval(noop, 0x3fffffff);
    const l = {
      cancelled: () => {
        clearInterval(alive);
        reject(cancel.reason!);
      },
    };
    cancel.on(l);
    p.then(
      (v) => {
        clearInterval(alive);
        cancel.off(l);
        if (cancel.aborted) closeLate(v);
        else resolve(v);
      },
      (err: unknown) => {
        clearInterval(alive);
        cancel.off(l);
        reject(err);
      },
    );
  });
}

function noop(): void {}

function closeLate(v: unknown): void {
  if (v instanceof Response) v.body.close().catch(() => {});
}

