// The benchmark's scenarios: what is requested, how many at once, from which server listener,
// over which protocol, and by which clients. The client list is per scenario because not every
// client speaks every protocol or takes a CA:
//   - plain HTTP/1.1 rows: every client;
//   - HTTP/1.1 over TLS: all but fetch (Node's fetch takes no CA without a dispatcher from its
//     own bundled undici, and NODE_EXTRA_CA_CERTS would have to be set before the process starts);
//   - HTTP/2: httpool, undici's Pool (allowH2), node:http2 and Go; node:http, axios and got
//     have no h2, undici's bare Client row is the HTTP/1.1 "pipelining off" comparison, and
//     fetch on Node 20 does not negotiate h2;
//   - h2-1m and h2-c256 (issue 17, the HTTP/2 engine's targets): httpool, node:http2 (one bare
//     session) and Go.

import type { ClientName, Method, Protocol } from './clients.js';
import { MIB_BODY, POST_ANSWER, POST_BODY, SMALL_BODY } from './bodies.js';
import type { Listener } from './server-process.js';

export interface Scenario {
  id: string;
  what: string;
  method: Method;
  path: string;
  body: Buffer | null;
  expectBytes: number;
  concurrency: number;
  /** The server listener the clients talk to; 'https' and 'h2' need a certificate. */
  listener: Listener;
  /** What every response must come over; a client that negotiates anything else fails the row. */
  protocol: Protocol;
  /** In table order, httpool first. */
  clients: readonly ClientName[];
  /** A connection budget below `concurrency` (Target.maxConns): h2-1m's one session. */
  maxConns?: number;
}

export const ALL_CLIENTS: readonly ClientName[] = ['httpool', 'undici', 'undici-client', 'node:http', 'node:http2', 'fetch', 'axios', 'got', 'go'];
const HTTP1: readonly ClientName[] = ['httpool', 'undici', 'undici-client', 'node:http', 'fetch', 'axios', 'got', 'go'];
const HTTPS1: readonly ClientName[] = HTTP1.filter((c) => c !== 'fetch');
const HTTP2: readonly ClientName[] = ['httpool', 'undici', 'node:http2', 'go'];
const HTTP2_ENGINE: readonly ClientName[] = ['httpool', 'node:http2', 'go'];

const SMALL = { method: 'GET', path: '/small', body: null, expectBytes: SMALL_BODY.length } as const;
const H1 = { listener: 'http', protocol: 'HTTP/1.1', clients: HTTP1 } as const;

export const SCENARIOS: readonly Scenario[] = [
  { id: 'small-c1', what: '1 GET at a time, 100-byte body', ...SMALL, concurrency: 1, ...H1 },
  { id: 'small-c50', what: '50 concurrent GETs, 100-byte body', ...SMALL, concurrency: 50, ...H1 },
  { id: 'small-c256', what: '256 concurrent GETs, 100-byte body', ...SMALL, concurrency: 256, ...H1 },
  { id: 'mib-c8', what: '8 concurrent GETs, 1 MiB body', method: 'GET', path: '/1mib', body: null, expectBytes: MIB_BODY.length, concurrency: 8, ...H1 },
  {
    id: 'mib-nopush',
    what: '8 concurrent GETs, 1 MiB body, from a server block with tcp_nopush off (nginx\'s compiled-in default)',
    method: 'GET',
    path: '/1mib',
    body: null,
    expectBytes: MIB_BODY.length,
    concurrency: 8,
    ...H1,
    listener: 'httpNoPush',
  },
  { id: 'post-c50', what: '50 concurrent POSTs, 4 KiB body, 2-byte answer', method: 'POST', path: '/post', body: POST_BODY, expectBytes: POST_ANSWER.length, concurrency: 50, ...H1 },
  { id: 'https-c50', what: '50 concurrent GETs, 100-byte body, HTTP/1.1 over TLS', ...SMALL, concurrency: 50, listener: 'https', protocol: 'HTTP/1.1', clients: HTTPS1 },
  { id: 'h2-c50', what: '50 concurrent GETs, 100-byte body, HTTP/2 over TLS', ...SMALL, concurrency: 50, listener: 'h2', protocol: 'HTTP/2.0', clients: HTTP2 },
  {
    id: 'h2-1m',
    what: '8 concurrent GETs, 1 MiB body, on one HTTP/2 session over TLS (httpool and Go: maxConnsPerHost 1)',
    method: 'GET',
    path: '/1mib',
    body: null,
    expectBytes: MIB_BODY.length,
    concurrency: 8,
    maxConns: 1,
    listener: 'h2',
    protocol: 'HTTP/2.0',
    clients: HTTP2_ENGINE,
  },
  {
    id: 'h2-c256',
    what: '256 concurrent GETs, 100-byte body, HTTP/2 over TLS, server SETTINGS_MAX_CONCURRENT_STREAMS 128',
    ...SMALL,
    concurrency: 256,
    listener: 'h2Max128',
    protocol: 'HTTP/2.0',
    clients: HTTP2_ENGINE,
  },
];

/** The memory measurements' id for --only (they are not a throughput scenario). */
export const MEMORY_ID = 'memory';

export function needsTls(sc: Scenario): boolean {
  return sc.listener === 'https' || sc.listener === 'h2' || sc.listener === 'h2Max128';
}
