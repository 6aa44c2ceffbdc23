// What every bench client shares: the interface bench/measure.ts drives, what a client is
// pointed at, and how a TLS socket's ALPN result maps to a protocol name.

export type ClientName = 'httpool' | 'undici' | 'node:http' | 'node:http2';

/** Go's spelling, as httpool's `res.proto`: 'HTTP/1.1', 'HTTP/2.0'. */
export type Protocol = string;

/** What a client is pointed at, and what it must speak there. */
export interface Target {
  /** http://127.0.0.1:port or https://127.0.0.1:port. */
  origin: string;
  /** The CA (PEM) to trust for https origins; null for plain http. */
  ca: string | null;
  protocol: Protocol;
  /** The most requests in flight at once, which is also each client's connection budget. */
  concurrency: number;
}

export interface GetResult {
  bytes: number;
  protocol: Protocol;
}

export interface BenchClient {
  readonly name: ClientName;
  /** One GET of `path`, body read to the end. */
  get(path: string): Promise<GetResult>;
  close(): Promise<void>;
}

/** Generous: a request that takes this long is a bug, not a data point. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** The protocol a socket's ALPN result means: no ALPN (plain TCP, or TLS without it) is HTTP/1.1. */
export function protocolOfAlpn(alpn: string | false | null | undefined): Protocol {
  if (alpn === 'h2') return 'HTTP/2.0';
  if (alpn === 'http/1.1' || alpn === false || alpn === null || alpn === undefined) return 'HTTP/1.1';
  return `ALPN ${alpn}`;
}
