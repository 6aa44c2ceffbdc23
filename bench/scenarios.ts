// The benchmark's scenarios: what is requested, how many at once, from which server listener,
// over which protocol, and by which clients. The client list is per scenario because not
// every client speaks every protocol: node:http is HTTP/1.1 only, node:http2 HTTP/2 only.

import type { ClientName, Protocol } from './clients.js';
import type { Listener } from './spawn.js';

export interface Scenario {
  id: string;
  what: string;
  path: string;
  expectBytes: number;
  concurrency: number;
  /** The server listener the clients talk to; 'https' and 'h2' need a certificate. */
  listener: Listener;
  /** What every response must come over; a client that negotiates anything else fails the row. */
  protocol: Protocol;
  /** In table order; httpool first, and the last is Node's own client for the ratio column. */
  clients: readonly ClientName[];
}

const HTTP1_CLIENTS: readonly ClientName[] = ['httpool', 'undici', 'node:http'];
const HTTP2_CLIENTS: readonly ClientName[] = ['httpool', 'undici', 'node:http2'];

const SMALL = { path: '/small', expectBytes: 100 } as const;

export const SCENARIOS: readonly Scenario[] = [
  { id: 'small-c50', what: '50 concurrent GETs of a 100-byte body', ...SMALL, concurrency: 50, listener: 'http', protocol: 'HTTP/1.1', clients: HTTP1_CLIENTS },
  { id: 'small-c1', what: '1 GET at a time of a 100-byte body', ...SMALL, concurrency: 1, listener: 'http', protocol: 'HTTP/1.1', clients: HTTP1_CLIENTS },
  { id: 'mib-c8', what: '8 concurrent GETs of a 1 MiB body', path: '/1mib', expectBytes: 1024 * 1024, concurrency: 8, listener: 'http', protocol: 'HTTP/1.1', clients: HTTP1_CLIENTS },
  { id: 'https-c50', what: '50 concurrent GETs of a 100-byte body, HTTP/1.1 over TLS', ...SMALL, concurrency: 50, listener: 'https', protocol: 'HTTP/1.1', clients: HTTP1_CLIENTS },
  { id: 'h2-c50', what: '50 concurrent GETs of a 100-byte body, HTTP/2 over TLS', ...SMALL, concurrency: 50, listener: 'h2', protocol: 'HTTP/2.0', clients: HTTP2_CLIENTS },
];

export function needsTls(sc: Scenario): boolean {
  return sc.listener !== 'http';
}
