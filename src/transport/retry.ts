// When a failed round trip may be sent again on another connection: Go's
// persistConn.shouldRetryRequest and Request.isReplayable.
//
// A connection that served a request before can be closed by the server at any moment
// (seed 003: its idle timeout raced our reuse). If the request never reached it, or it closed
// without a byte of response, the request can go out again, provided that sending it twice is
// harmless (idempotent method, or an Idempotency-Key) and its body can be produced again.

import type { HttpoolError } from '../errors.js';
import type { Request } from '../request.js';

interface Retryability {
  /** Not a byte of the request reached the socket. */
  nothingWritten: boolean;
  /** Not a byte of the response arrived. */
  nothingRead: boolean;
}

const marks = new WeakMap<HttpoolError, Retryability>();

/** The connection layer records what it knows of a failure; only the transport decides. */
export function markRetryable(err: HttpoolError, r: Retryability): void {
  marks.set(err, r);
}

/**
 * What the connection layer recorded of a failure, or undefined. Read-only, for the Client's
 * retry policy (src/client/retry-policy.ts), which retries beyond Go's reused-connection rule.
 */
export function failureMarks(err: HttpoolError): Readonly<Retryability> | undefined {
  return marks.get(err);
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Go's Request.isReplayable. */
export function isReplayable(req: Request): boolean {
  if (req.body !== null && !req.body.replayable) return false;
  return (
    IDEMPOTENT.has(req.method) ||
    req.headers.has('idempotency-key') ||
    req.headers.has('x-idempotency-key')
  );
}

/**
 * Go's shouldRetryRequest: only on a reused connection (a fresh one failing is a real error),
 * only when nothing of the response was read, and only for replayable requests unless nothing
 * at all was written.
 */
export function shouldRetry(err: HttpoolError, req: Request, connWasReused: boolean): boolean {
  if (!connWasReused) return false;
  const m = marks.get(err);
  if (m === undefined) return false;
  if (m.nothingWritten) return req.body === null || req.body.replayable;
  if (!m.nothingRead) return false;
  return isReplayable(req);
}

/** Retries are bounded: each one discards a dead pooled connection, so a handful is plenty. */
export const MAX_RETRIES = 4;
