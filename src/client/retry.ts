// The Client's retry loop (OkHttp's RetryAndFollowUpInterceptor, the retry half): policy, above
// the Transport. client.ts calls send() for each hop when `retry` is on; retry-policy.ts says
// what may be retried and how long to wait, retry-budget.ts how many retries a host gets.
// Go's rule (src/transport/retry.ts) runs underneath on every attempt, unchanged.

import * as dc from 'node:diagnostics_channel';
import type { Cancel } from '../cancel.js';
import { HttpoolError, redactUrl, withRequest } from '../errors.js';
import type { Request } from '../request.js';
import type { Response } from '../response.js';
import { emit, traceFor, type RetryInfo } from '../trace.js';
import type { RoundTripper } from '../transport/transport.js';
import { RetryBudgets } from './retry-budget.js';
import { backoffDelay, errorReason, mayResend, retryAfterMs, statusReason, type RetryPolicy } from './retry-policy.js';

/** `{ request, attempt, delay, reason }` for each retry, published only when someone subscribes. */
export const retryChannel: dc.Channel = dc.channel('httpool:request:retry');

/** One attempt of a hop: cookies, the round trip, adopting the response (client.ts #exchange). */
export type Attempt = (req: Request, cancel: Cancel | null) => Promise<Response>;

/**
 * What a RoundTripper may offer to count a Client's retries in its stats (httpool's Transport
 * does: `retries` and `retriesRefused` per host). A RoundTripper of one's own need not.
 */
interface RetryCounting {
  noteRetry(req: Request, refused: boolean): void;
}

export class Retrier {
  readonly policy: RetryPolicy;
  readonly #budgets: RetryBudgets;
  readonly #attempt: Attempt;
  readonly #counting: RetryCounting | null;

  constructor(policy: RetryPolicy, transport: RoundTripper, attempt: Attempt) {
    this.policy = policy;
    this.#budgets = new RetryBudgets(policy.budget);
    this.#attempt = attempt;
    const t = transport as RoundTripper & Partial<RetryCounting>;
    this.#counting = typeof t.noteRetry === 'function' ? (t as RetryCounting) : null;
  }

  /**
   * Sends `req`, again while the policy, the limit, the budget and the exchange's deadline allow.
   * `deadlineAt`: when the exchange's timeout fires (performance.now() ms), or -1 for none; a
   * retry whose wait would reach it is not made (the caller gets the answer now, not a timeout
   * later). A final answer is returned or thrown exactly as the attempt gave it.
   */
  async send(req: Request, cancel: Cancel | null, deadlineAt: number): Promise<Response> {
    const policy = this.policy;
    const budget = this.#budgets.for(`${req._parts.protocol}//${req._parts.host}`);
    budget.deposit(performance.now());
    if (policy.limit === 0 || !mayResend(req)) return this.#attempt(req, cancel);
    for (let attempt = 1; ; attempt++) {
      let res: Response | null = null;
      let err: unknown = null;
      try {
        res = await this.#attempt(req, cancel);
      } catch (e) {
        err = e;
      }
      let reason: string | null = null;
      if (attempt <= policy.limit && cancel?.aborted !== true) reason = res !== null ? statusReason(policy, res) : errorReason(err);
      let delay = reason === null ? -1 : this.#delay(res, attempt);
      const now = performance.now();
      if (delay >= 0 && deadlineAt >= 0 && now + delay >= deadlineAt) delay = -1;
      if (delay >= 0 && !budget.tryWithdraw(now)) {
        this.#counting?.noteRetry(req, true);
        delay = -1;
      }
      if (delay < 0) {
        if (res !== null) return res;
        throw err;
      }
      this.#counting?.noteRetry(req, false);
      announce(req, { attempt, delay, reason: reason! });
      // The retried response's body is closed (a little drained, so its connection is kept when
      // cheap, as Go drains redirect bodies) while the wait runs; the retry waits for both.
      try {
        await pause(delay, cancel, res === null ? null : res.body.close());
      } catch (e) {
        throw e instanceof HttpoolError ? withRequest(e, req.method, redactUrl(req.url)) : e;
      }
    }
  }

  /** Retry-After when the response has one the policy honours, else the jittered backoff; -1: no retry. */
  #delay(res: Response | null, attempt: number): number {
    const after = res === null ? null : retryAfterMs(res.headers.get('retry-after'));
    if (after === null) return backoffDelay(this.policy, attempt);
    // RFC 9110 §10.2.3: the server said when; sooner would be refused again, and a wait beyond
    // retryAfterMax is longer than the caller wants to hang: the response goes back as it is.
    return after <= this.policy.retryAfterMax ? after : -1;
  }
}

function announce(req: Request, info: RetryInfo): void {
  emit(traceFor(req), 'retry', info);
  if (retryChannel.hasSubscribers) retryChannel.publish({ request: req, attempt: info.attempt, delay: info.delay, reason: info.reason });
}

/**
 * Waits `ms` and for `closing` (the retried body's close), or rejects at once when the exchange
 * is cancelled (its timeout or the caller's signal), clearing the timer. The timer is not
 * unref'd, unlike the Client's deadline timer: that one runs beside a request whose socket keeps
 * the process alive, while during this wait no socket does (the connection sits idle, unref'd),
 * and an unref'd wait would let `await client.get(…)` end the process mid-retry.
 */
function pause(ms: number, cancel: Cancel | null, closing: Promise<void> | null): Promise<void> {
  if (cancel?.aborted === true) {
    void closing?.catch(() => {});
    return Promise.reject(cancel.reason);
  }
  return new Promise<void>((resolve, reject) => {
    let left = closing === null ? 1 : 2;
    const listener = {
      cancelled(): void {
        clearTimeout(timer);
        reject(cancel!.reason);
      },
    };
    const done = (): void => {
      if (--left > 0) return;
      cancel?.off(listener);
      resolve();
    };
    const timer = setTimeout(done, ms);
    cancel?.on(listener);
    closing?.then(done, done);
  });
}
