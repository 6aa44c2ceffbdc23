// What the soak's client and its faulty server agree on: header names, the fault vocabulary,
// and the IPC messages between the parent (client) and the child (server). Kept apart so the
// server process loads nothing of the client and the verifier can be tested on its own.

/** Request headers the client sends; response headers the server answers with. */
export const H = {
  id: 'x-soak-id',
  size: 'x-soak-size',
  conn: 'x-soak-conn',
  fault: 'x-soak-fault',
  len: 'x-soak-len',
  sum: 'x-soak-sum',
  reqLen: 'x-soak-req-len',
  reqSum: 'x-soak-req-sum',
} as const;

/**
 * What the server did with one request it read (one attempt: a retried request is seen again
 * and drawn again). `idle-close` is not here: it happens to connections, between requests.
 */
export type Fault =
  | 'normal'          // Content-Length or chunked, all at once
  | 'slow'            // trickled in small pieces, well inside the client's timeout
  | 'conn-close'      // Connection: close (Content-Length, chunked, or close-delimited), then FIN
  | 'rst-head'        // RST after reading the request, before any response byte
  | 'rst-body'        // RST after the head and part of the body
  | 'stall-head'      // never answers: only the client's timeout can end it
  | 'stall-body';     // head and part of the body, then nothing

export const FAULTS: readonly Fault[] = ['normal', 'slow', 'conn-close', 'rst-head', 'rst-body', 'stall-head', 'stall-body'];

/** Kinds counted in the report: the request faults plus the connection-level idle close. */
export type FaultKind = Fault | 'idle-close';

/** Faults after which the request may fail; any other failure was not deserved. */
export const FAILING: ReadonlySet<Fault> = new Set(['rst-head', 'rst-body', 'stall-head', 'stall-body']);

/** How a server connection ended; `open` while it lives. */
export type ConnEnd = 'open' | 'idle-close' | 'conn-close' | 'rst' | 'peer';

/** One request attempt as the server saw it. */
export interface SeenRecord {
  conn: number;
  fault: Fault;
}

export interface ServerCounters {
  accepted: number;
  open: number;
  /** Most connections open at once, counted after each poll phase (see server.ts). */
  maxOpen: number;
  requests: number;
  faults: Record<FaultKind, number>;
  /** Requests whose stall was downgraded to normal because two stalls were already running. */
  stallsDeferred: number;
}

export type ToServer =
  | { type: 'query'; qid: number; ids: number[]; conns: number[] }
  | { type: 'forget'; below: number }
  | { type: 'counters'; qid: number };

export type FromServer =
  | { type: 'listening'; port: number }
  | { type: 'answer'; qid: number; records: Record<string, SeenRecord[]>; ends: Record<string, ConnEnd> }
  | { type: 'counters'; qid: number; counters: ServerCounters };

export function emptyFaultCounts(): Record<FaultKind, number> {
  return {
    normal: 0,
    slow: 0,
    'conn-close': 0,
    'rst-head': 0,
    'rst-body': 0,
    'stall-head': 0,
    'stall-body': 0,
    'idle-close': 0,
  };
}
