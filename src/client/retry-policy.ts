// The Client's retry policy: what may be sent again and how long to wait first. Policy, above
// the Transport (OkHttp's RetryAndFollowUpInterceptor); the Transport's own rule (Go's, in
// src/transport/retry.ts: a dead reused connection) stays underneath and runs first. This file
// decides from what an attempt gave back; retry.ts runs the loop, retry-budget.ts caps the rate.
// Pure functions: no timers, no sockets; randomness and the clock come in as arguments.

import { HttpoolError, InvalidRequestError } from '../errors.js';
import type { Request } from '../request.js';
import type { Response } from '../response.js';
export type { RetryInfo } from '../trace.js';
import { failureMarks } from '../transport/retry.js';

/** `new Client({ retry })`. Off unless given; every field has a default. */
export interface RetryOptions {
  /** Retries after the first attempt (not attempts): 2 means at most 3 sends. 0 = never. @default 2 */
  limit?: number;
  /** Response statuses worth another try. @default [408, 429, 502, 503, 504] */
  statuses?: readonly number[];
  /**
   * Full-jitter exponential backoff (AWS's "Exponential Backoff and Jitter"): the n-th retry
   * waits a random time in [0, min(max, base × 2^(n−1))] ms. @default { base: 100, max: 10_000 }
   */
  backoff?: { base?: number; max?: number };
  /**
   * The longest `Retry-After` (RFC 9110 §10.2.3, delta-seconds or HTTP-date) honoured, ms; it is
   * waited instead of the backoff. A response asking for longer is returned as it is. @default 60_000
   */
  retryAfterMax?: number;
  /**
   * The retry budget (Finagle's RetryBudget), per Client and host: each request deposits this
   * share of a retry, each retry withdraws 1, deposits expire after 10 s, and 10 retries per
   * 10 s are always allowed. A retry the budget refuses returns what the attempt gave. @default 0.2
   */
  budget?: number;
}

/** RetryOptions resolved and checked. */
export interface RetryPolicy {
  readonly limit: number;
  readonly statuses: ReadonlySet<number>;
  readonly base: number;
  readonly max: number;
  readonly retryAfterMax: number;
  readonly budget: number;
}

export const DEFAULT_RETRY_STATUSES: readonly number[] = [408, 429, 502, 503, 504];

/** Validates once, at `new Client` (ERR_INVALID_OPTION), so a bad option never fails a request. */
export function resolveRetry(o: RetryOptions): RetryPolicy {
  if (typeof o !== 'object' || o === null) bad('retry', o, 'an object');
  const limit = o.limit ?? 2;
  if (!Number.isInteger(limit) || limit < 0) bad('retry.limit', limit, 'a non-negative integer');
  const statuses = o.statuses ?? DEFAULT_RETRY_STATUSES;
  if (!Array.isArray(statuses) || statuses.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) {
    bad('retry.statuses', statuses, 'an array of status codes (100–599)');
  }
  if (o.backoff !== undefined && (typeof o.backoff !== 'object' || o.backoff === null)) bad('retry.backoff', o.backoff, 'an object { base, max }');
  const base = o.backoff?.base ?? 100;
  const max = o.backoff?.max ?? 10_000;
  if (!Number.isFinite(base) || base < 0) bad('retry.backoff.base', base, 'a non-negative number of ms');
  if (!Number.isFinite(max) || max < 0) bad('retry.backoff.max', max, 'a non-negative number of ms');
  const retryAfterMax = o.retryAfterMax ?? 60_000;
  if (!(retryAfterMax >= 0) || Number.isNaN(retryAfterMax)) bad('retry.retryAfterMax', retryAfterMax, 'a non-negative number of ms');
  const budget = o.budget ?? 0.2;
  if (!Number.isFinite(budget) || budget < 0) bad('retry.budget', budget, 'a non-negative number (0.2 = a retry per five requests)');
  return { limit, statuses: new Set(statuses), base, max, retryAfterMax, budget };
}

function bad(name: string, value: unknown, what: string): never {
  throw new InvalidRequestError('ERR_INVALID_OPTION', `Client ${name} must be ${what}, got ${String(value)}`);
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * May the request go out again? Sending twice must be harmless (an idempotent method, RFC 9110
 * §9.2.2, or an Idempotency-Key the server deduplicates by) and the body must be producible again
 * (bytes, strings, Blobs, a function body; never a stream).
 */
export function mayResend(req: Request): boolean {
  if (req.body !== null && !req.body.replayable) return false;
  return IDEMPOTENT.has(req.method) || req.headers.has('idempotency-key') || req.headers.has('x-idempotency-key');
}

/**
 * The reason to retry a failure, or null. Retried: no connection (ERR_CONNECT: refused, reset
 * or unreachable while dialing; nothing was sent), and a connection that failed before a byte
 * of the response arrived (the marks conn.ts and h2/stream.ts leave, src/transport/retry.ts).
 * Final: timeouts and aborts (a retry would outlive the caller's limit), DNS, TLS, proxy and
 * protocol errors, and anything once the response began.
 */
export function errorReason(err: unknown): string | null {
  if (!(err instanceof HttpoolError)) return null;
  if (err.code === 'ERR_CONNECT') return err.code;
  if (err.code === 'ERR_TIMEOUT' || err.code === 'ERR_ABORTED' || err.code === 'ERR_TRANSPORT_CLOSED') return null;
  return failureMarks(err)?.nothingRead === true ? err.code : null;
}

/** The reason to retry a response, or null. */
export function statusReason(policy: RetryPolicy, res: Response): string | null {
  return policy.statuses.has(res.statusCode) ? `status ${res.statusCode}` : null;
}

/** Full jitter for the n-th retry (1-based): random in [0, min(max, base × 2^(n−1))]. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.max, policy.base * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * Retry-After in ms (RFC 9110 §10.2.3: `delay-seconds` or an `HTTP-date`; a date in the past is
 * 0), or null when absent or unreadable (the backoff applies then).
 */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) opens with a day name; Date.parse
  // alone would read "-5" or "2" as years.
  if (!/^[A-Za-z]{3}/.test(v)) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
