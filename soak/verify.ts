// Was a client error deserved? The server says what it did to each attempt of a request and
// how each of its connections ended; from that and the attempts the client saw (trace
// gotConn), a failure is deserved only when the server sabotaged that request, or when the
// server closed an idle connection under it and Go's rule says the request may not be sent
// twice. An idempotent request lost to that race is the bug Go's retry rule exists to prevent.

import { MAX_RETRIES } from '../src/transport/retry.js';
import { goRetries, type Plan } from './plan.js';
import { FAILING, type ConnEnd, type Fault, type SeenRecord } from './protocol.js';

export interface Attempt {
  /** The client's connection id (trace gotConn). */
  conn: number;
  reused: boolean;
  /** The server's id for that connection, known once a response head came back on it. */
  server: number | undefined;
}

export interface Failure {
  plan: Plan;
  code: string;
  message: string;
  /** Did the error come before the response head, or while reading the body? */
  phase: 'head' | 'body';
  attempts: Attempt[];
  /** Server connection named by the response head, when one arrived. */
  headConn: number | undefined;
}

/** `idle-race`: the server closed the reused connection idle as the request went out. */
export type Cause = Fault | 'idle-race' | 'queue-timeout' | 'unseen' | 'unattributed';

export interface Verdict {
  deserved: boolean;
  cause: Cause;
  why: string;
}

const CONNECTION_ERRORS = new Set(['ERR_READ', 'ERR_WRITE', 'ERR_CONNECTION_CLOSED']);

/**
 * Which error codes a failing fault may produce. An RST after part of the body may surface as
 * a plain EOF (libuv reports POLLHUP after a partial read as end of stream), and a body cut
 * short by EOF is ERR_PROTOCOL "truncated" by design (docs/RELIABILITY.md).
 */
export function fits(cause: Fault | 'idle-race', code: string): boolean {
  if (cause === 'stall-head' || cause === 'stall-body') return code === 'ERR_TIMEOUT';
  if (cause === 'rst-body') return CONNECTION_ERRORS.has(code) || code === 'ERR_PROTOCOL';
  if (cause === 'rst-head' || cause === 'idle-race') return CONNECTION_ERRORS.has(code);
  return false;
}

/** Server connections whose fate the verdict needs. */
export function connsToAsk(f: Failure): number[] {
  const out = new Set<number>();
  if (f.headConn !== undefined) out.add(f.headConn);
  for (const a of f.attempts) if (a.server !== undefined) out.add(a.server);
  return [...out];
}

export function judge(f: Failure, records: readonly SeenRecord[], ends: ReadonlyMap<number, ConnEnd>): Verdict {
  const { plan, code } = f;
  const what = `${plan.kind} #${plan.id} (read ${plan.read}, ${plan.size} B)`;
  const last = f.attempts[f.attempts.length - 1];
  if (last === undefined) {
    return {
      deserved: false,
      cause: 'queue-timeout',
      why: `${what} failed ${code} before any connection was handed to it: ${f.message}`,
    };
  }
  const server = f.headConn ?? last.server;
  let rec: SeenRecord | undefined;
  if (server !== undefined) {
    rec = records.find((r) => r.conn === server);
  } else if (!last.reused) {
    // A fresh connection is never closed before its first request: its record is the latest
    // one not on a connection an earlier attempt used.
    const earlier = new Set(f.attempts.slice(0, -1).map((a) => a.server));
    rec = [...records].reverse().find((r) => !earlier.has(r.conn));
    if (rec === undefined) {
      return { deserved: false, cause: 'unseen', why: `${what} failed ${code} on a fresh connection #${last.conn} the server never read it from: ${f.message}` };
    }
  } else {
    return { deserved: false, cause: 'unattributed', why: `${what} failed ${code} on reused connection #${last.conn} whose server side is unknown: ${f.message}` };
  }

  if (rec !== undefined) {
    if (!FAILING.has(rec.fault)) {
      return { deserved: false, cause: rec.fault, why: `${what} failed ${code} (${f.phase}) though the server answered it "${rec.fault}" on its connection ${rec.conn}: ${f.message}` };
    }
    if (!fits(rec.fault, code)) {
      return { deserved: false, cause: rec.fault, why: `${what} failed ${code}, which "${rec.fault}" cannot cause: ${f.message}` };
    }
    return { deserved: true, cause: rec.fault, why: `server applied ${rec.fault}` };
  }

  // The server never read this attempt from the connection it went out on.
  const end = ends.get(server!) ?? 'open';
  if (end !== 'idle-close') {
    return { deserved: false, cause: 'unseen', why: `${what} failed ${code}: never reached the server on its connection ${server} (which ended "${end}", not by an idle close): ${f.message}` };
  }
  if (!fits('idle-race', code)) {
    return { deserved: false, cause: 'idle-race', why: `${what} failed ${code}, which an idle close cannot cause: ${f.message}` };
  }
  if (!goRetries(plan.kind)) {
    return { deserved: true, cause: 'idle-race', why: 'not replayable: Go does not retry it either' };
  }
  if (f.attempts.length > MAX_RETRIES) {
    return { deserved: true, cause: 'idle-race', why: `retries exhausted after ${f.attempts.length} attempts` };
  }
  return {
    deserved: false,
    cause: 'idle-race',
    why: `${what} failed ${code} after ${f.attempts.length} attempt(s): the server closed its reused connection ${server} idle just as it went out, and Go retries a replayable request on another connection (shouldRetryRequest): ${f.message}`,
  };
}
