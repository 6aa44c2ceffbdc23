// startTestServer: Go's httptest.NewServer / NewTLSServer for httpool. A real server on the
// loopback interface running a node:http handler, and a Client whose own Transport trusts that
// server's certificate and nothing else; close() takes down both and every connection, so a
// test leaves no socket or timer behind. TLS uses the fixed test certificate in test-cert.ts
// (Go ships one the same way: Node cannot mint certificates).
//
// Part of httpool/testing (src/testing/): it uses src/ and src/ never uses it.

import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Client, type ClientOptions } from '../client/client.js';
import type { TransportOptions } from '../transport/options.js';
import { Transport } from '../transport/transport.js';
import { TEST_CERT, TEST_KEY } from './test-cert.js';

/**
 * A node:http request handler. With `http2`, HTTP/2 requests arrive as node:http2's
 * compatibility objects (Http2ServerRequest/Http2ServerResponse), which have the same
 * everyday surface (method, url, headers, statusCode, setHeader, writeHead, write, end).
 */
export type TestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface TestServerOptions {
  /** Serve HTTPS with the package's fixed test certificate (Go: NewTLSServer). @default false */
  tls?: boolean;
  /** Serve HTTP/2 (negotiated by ALPN, HTTP/1.1 still accepted); implies `tls`, as Go's EnableHTTP2. @default false */
  http2?: boolean;
  /** Options for srv.client's own Transport; with TLS its `tls.ca` is the test certificate. */
  transport?: TransportOptions;
  /** Options for srv.client (its transport is the one above). */
  client?: Omit<ClientOptions, 'transport'>;
}

export interface TestServer extends AsyncDisposable {
  /** http://127.0.0.1:port, or https://127.0.0.1:port with TLS. */
  readonly url: string;
  readonly port: number;
  /** A Client for this server: its own Transport, which alone trusts the test certificate (and negotiates h2 with `http2`). */
  readonly client: Client;
  /** srv.client's Transport (stats, closeIdleConnections…). */
  readonly transport: Transport;
  /** The PEM certificate the server presents (trust it to reach the server another way), or null without TLS. */
  readonly certificate: string | null;
  /** The node server itself. */
  readonly server: http.Server | https.Server | http2.Http2SecureServer;
  /** Closes the client's Transport, every server connection and the listener; resolves when all are closed. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a loopback server running `handler` (Go's httptest.NewServer; with `{ tls: true }`
 * NewTLSServer; with `{ http2: true }` an HTTP/2 TLS server). Close it when done:
 *
 * ```ts
 * const srv = await startTestServer((req, res) => res.end('ok'), { tls: true });
 * try { const res = await srv.client.get(srv.url); … } finally { await srv.close(); }
 * ```
 */
export async function startTestServer(handler: TestHandler, opts: TestServerOptions = {}): Promise<TestServer> {
  const h2 = opts.http2 === true;
  const secure = h2 || opts.tls === true;
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => run(handler, req, res);
  const server: http.Server | https.Server | http2.Http2SecureServer = h2
    ? http2.createSecureServer({ cert: TEST_CERT, key: TEST_KEY, allowHTTP1: true }, listener as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void)
    : secure
      ? https.createServer({ cert: TEST_CERT, key: TEST_KEY }, listener)
      : http.createServer(listener);

  // Every connection and HTTP/2 session, so close() can end them (Go's httptest tracks its conns too).
  const sockets = new Set<Socket>();
  const sessions = new Set<http2.Http2Session>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  if (h2) {
    server.on('session', (session: http2.Http2Session) => {
      sessions.add(session);
      session.on('error', () => {}); // a session cut by close() must not crash the test
      session.on('close', () => sessions.delete(session));
    });
  }
  server.on('tlsClientError', () => {}); // a client that refuses the certificate is a test's business, not a crash

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const topts = opts.transport ?? {};
  const transport = new Transport(secure ? { ...topts, tls: { ...topts.tls, ca: TEST_CERT } } : topts);
  const client = new Client({ ...opts.client, transport });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await transport.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A socket's 'close' comes once its handle has closed (the server's own callback may come before).
      const gone = [...sockets].map((s) => new Promise<void>((resolve) => (s.destroyed && s.closed ? resolve() : s.once('close', () => resolve()))));
      for (const session of sessions) session.destroy();
      for (const s of sockets) s.destroy();
      await Promise.all([closed, ...gone]);
      // The listener's handle and the client's sockets (destroyed by transport.close()) finish
      // closing in the event loop's close phase; two turns of the check phase straddle one.
      for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    })());

  return {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    client,
    transport,
    certificate: secure ? TEST_CERT : null,
    server,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Runs the handler; a throw or rejection ends the exchange with a 500 or, once the head is out, a reset (Go's handler panic). */
function run(handler: TestHandler, req: http.IncomingMessage, res: http.ServerResponse): void {
  const fail = (err: unknown): void => {
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(`startTestServer: the handler failed: ${(err as Error)?.message ?? String(err)}\n`);
    } else {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  };
  try {
    const r = handler(req, res);
    if (r !== undefined && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).then(undefined, fail);
  } catch (err) {
    fail(err);
  }
}
