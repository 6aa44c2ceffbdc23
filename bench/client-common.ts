// What every Node bench client shares: the interface bench/measure.ts drives, what a
// client is pointed at (one request shape per client: each may prebuild what it can, as an
// application sending the same request repeatedly would), and how a TLS socket's ALPN result
// maps to a protocol name.

export type ClientName =
  | 'httpool'
  | 'undici'
  | 'undici-client'
  | 'node:http'
  | 'node:http2'
  | 'fetch'
  | 'axios'
  | 'got'
  | 'go';

/** Go's spelling, as httpool's `res.proto`: 'HTTP/1.1', 'HTTP/2.0'. */
export type Protocol = string;

export type Method = 'GET' | 'POST';

/** What a client is pointed at, what it sends there, and what it must speak. */
export interface Target {
  /** http://127.0.0.1:port or https://127.0.0.1:port. */
  origin: string;
  /** The CA (PEM) to trust for https origins; null for plain http. */
  ca: string | null;
  protocol: Protocol;
  /** The most requests in flight at once, which is also each client's connection budget. */
  concurrency: number;
  /**
   * A connection budget below `concurrency` (maxConnsPerHost, Go's MaxConnsPerHost), for a row
   * whose requests must share connections (h2-1m: one HTTP/2 session); absent: `concurrency`.
   * The bare node:http2 client always has one session, whatever this says.
   */
  maxConns?: number;
  method: Method;
  path: string;
  /** The request body (POST), sent as application/octet-stream with a Content-Length; null for none. */
  body: Buffer | null;
}

export interface CallResult {
  bytes: number;
  protocol: Protocol;
}

export interface BenchClient {
  readonly name: ClientName;
  /** One request of the target's shape, response body read to the end. */
  call(): Promise<CallResult>;
  close(): Promise<void>;
}

/** Generous: a request that takes this long is a bug, not a data point. */
export const REQUEST_TIMEOUT_MS = 30_000;

export const BODY_TYPE = 'application/octet-stream';

/** The protocol a socket's ALPN result means: no ALPN (plain TCP, or TLS without it) is HTTP/1.1. */
export function protocolOfAlpn(alpn: string | false | null | undefined): Protocol {
  if (alpn === 'h2') return 'HTTP/2.0';
  if (alpn === 'http/1.1' || alpn === false || alpn === null || alpn === undefined) return 'HTTP/1.1';
  return `ALPN ${alpn}`;
}

/** The row's status check, one wording for every client. */
export function badStatus(client: ClientName, status: number | undefined): Error {
  return new Error(`${client}: status ${String(status)}`);
}
