// The servers of the HTTP/2 interop matrix (test/h2-interop.test.ts), each behind one shape:
// where its small body, its 1 MiB body, its upload endpoint, its trailers and its 204 are, and
// what it cannot do (a note in the test output instead of an assertion). The real programs come
// from test/support/peers.ts (nghttpd, nginx) and test/support/real-servers/ (Go, h2o, Caddy);
// Node's own http2 server is started here, in this process.

import { createHash } from 'node:crypto';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TransportOptions } from '../../src/index.js';
import { TEST_CERT, TEST_KEY } from '../../src/testing/index.js';
import { nghttpd, nginx } from './peers.js';
import { caddy } from './real-servers/caddy.js';
import { goServer } from './real-servers/go-server.js';
import { h2o } from './real-servers/h2o.js';

export const MiB = 1 << 20;

/**
 * n bytes where byte i is i + 31·(i>>8) + 101·(i>>16), mod 256: the Go server's /pattern makes the
 * same bytes. Not one repeated byte, so a DATA frame delivered twice, dropped or out of order
 * changes the SHA-256.
 */
export function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i + 31 * (i >> 8) + 101 * (i >> 16)) & 0xff;
  return b;
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** How a server proves it received the upload whole. */
export type UploadCheck =
  /** The response body is the request body (and, if named, a header carries the server's own SHA-256 of it). */
  | { kind: 'echo'; shaHeader?: string }
  /** The server stored it (nginx WebDAV PUT, 201): a GET of the same path returns it. */
  | { kind: 'stored' };

export interface Target {
  name: string;
  /** https://localhost:PORT, or http://localhost:PORT for h2c. */
  origin: string;
  /** Added to the Transport's options (h2c needs unencryptedHTTP2). */
  transport: TransportOptions;
  small: { path: string; body: string };
  /** GET answers pattern(MiB), with Content-Length (HEAD on it too). */
  big: string;
  /** Where a 1 MiB upload goes; `tag` tells concurrent uploads apart where the server keeps them. */
  upload: { method: 'POST' | 'PUT'; path(tag: string): string; check: UploadCheck };
  /** A GET whose response ends with trailer fields, or why the server sends none. */
  trailers: { path: string; body: string; fields: Record<string, string> } | { none: string };
  /** A GET answered 204, or why the server cannot. */
  noContent: { path: string } | { none: string };
  /**
   * Whether the server answers Expect: 100-continue with a 100 over HTTP/2. Those that do not
   * still get the body, after the Transport's expectContinueTimeout (Go's rule).
   */
  sends100Continue: boolean;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

export async function nghttpdTarget(tls: boolean): Promise<Target> {
  // --echo-upload answers a POST with its body; --trailer adds the field to every response with
  // a body. Over TLS every frame nghttpd sends is padded (PADDED on HEADERS and DATA, up to 255
  // bytes): the only server here that pads, so the h2c variant stays plain for the contrast.
  const p = await nghttpd({
    tls,
    echoUpload: true,
    trailers: ['x-interop-trailer: nghttpd'],
    files: { pattern: pattern(MiB) },
    ...(tls ? { padding: 255 } : {}),
  });
  return {
    name: tls ? 'nghttpd (padded frames)' : 'nghttpd h2c',
    origin: p.url,
    transport: tls ? {} : { unencryptedHTTP2: true },
    small: { path: '/hello', body: 'hello' },
    big: '/pattern',
    upload: { method: 'POST', path: () => '/hello', check: { kind: 'echo' } },
    trailers: { path: '/hello', body: 'hello', fields: { 'x-interop-trailer': 'nghttpd' } },
    noContent: { none: 'nghttpd serves files only: no way to configure a 204' },
    sends100Continue: true,
    stop: () => p.stop(),
  };
}

export async function nginxTarget(): Promise<Target> {
  // A static POST is 405 in nginx, and `return 200` discards the body unread: WebDAV PUT stores
  // it instead, and reading it back proves every byte arrived. Relative roots are under the -p
  // prefix (the peer's temp directory), where www/ is.
  // large_client_header_buffers (server level, accepted where the locations go) bounds one
  // HTTP/2 header field in nginx; 8k by default, too small for the 30,000-byte request header.
  const locations = `
    large_client_header_buffers 4 64k;
    location = /no-content { return 204; }
    location = /trailers { default_type text/plain; add_trailer x-interop-trailer nginx; return 200 "trailers"; }
    location /upload/ { root www; dav_methods PUT; create_full_put_path on; client_max_body_size 4m; client_body_buffer_size 2m; }
  `;
  const n = await nginx({ locations, files: { pattern: pattern(MiB) } });
  return {
    name: 'nginx',
    origin: `https://localhost:${n.https}`,
    transport: {},
    small: { path: '/hello', body: 'hello' },
    big: '/pattern',
    upload: { method: 'PUT', path: (tag) => `/upload/blob-${tag}`, check: { kind: 'stored' } },
    trailers: { path: '/trailers', body: 'trailers', fields: { 'x-interop-trailer': 'nginx' } },
    noContent: { path: '/no-content' },
    sends100Continue: false,
    stop: () => n.stop(),
  };
}

export async function goTarget(): Promise<Target> {
  // Idle limit well past the whole run: a session closing mid-matrix would be a finding, not noise.
  const g = await goServer({ idleMs: 60_000, tls: true });
  return {
    name: 'go',
    origin: g.https!,
    transport: {},
    small: { path: '/hello', body: 'hello' },
    big: `/pattern?n=${MiB}`,
    upload: { method: 'POST', path: () => '/echo', check: { kind: 'echo', shaHeader: 'x-body-sha256' } },
    trailers: { path: '/trailers', body: 'trailers', fields: { 'x-interop-trailer': 'go' } },
    noContent: { path: '/no-content' },
    sends100Continue: true,
    stop: async () => {
      await g.finish();
    },
  };
}

export async function h2oTarget(): Promise<Target> {
  const s = await h2o({ idleSeconds: 60, files: { pattern: pattern(MiB) } });
  return {
    name: 'h2o',
    origin: s.https!,
    transport: {},
    small: { path: '/hello', body: 'hello' },
    big: '/static/pattern',
    upload: { method: 'POST', path: () => '/echo', check: { kind: 'echo' } },
    trailers: { none: "h2o 2.2's file and mruby handlers send no trailers" },
    noContent: { path: '/no-content' },
    sends100Continue: false,
    stop: async () => {
      await s.finish();
    },
  };
}

export async function caddyTarget(): Promise<Target> {
  const s = await caddy({ idleMs: 60_000, files: { pattern: pattern(MiB) } });
  return {
    name: 'caddy',
    origin: s.https!,
    transport: {},
    small: { path: '/hello', body: 'hello' },
    big: '/static/pattern',
    upload: { method: 'POST', path: () => '/echo', check: { kind: 'echo' } },
    trailers: { none: "Caddy's respond and file_server handlers send no trailers" },
    noContent: { path: '/no-content' },
    // Go's server (Caddy's) sends the 100 when the handler first reads the body.
    sends100Continue: true,
    stop: async () => {
      await s.finish();
    },
  };
}

/**
 * node:http2's createSecureServer in this process, with the routes the Go server has. It serves
 * httpool/testing's TEST_CERT (ECDSA P-256; the other servers' openssl-made certificates are RSA),
 * so it needs no openssl, and its Transport trusts that certificate alone.
 */
export async function nodeTarget(): Promise<Target> {
  const server = http2.createSecureServer({ cert: TEST_CERT, key: TEST_KEY });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  const big = pattern(MiB);
  server.on('stream', (stream, headers) => {
    // A reset from the client must not crash the test process; the client side asserts.
    stream.on('error', () => {});
    const url = new URL(headers[':path'] ?? '/', 'https://localhost');
    const head = headers[':method'] === 'HEAD';
    switch (url.pathname) {
      case '/hello':
        stream.resume();
        stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': 5 });
        stream.end('hello');
        return;
      case '/pattern': {
        stream.resume();
        const n = Number(url.searchParams.get('n') ?? MiB);
        const body = n === MiB ? big : pattern(n);
        stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', 'content-length': n }, { endStream: head });
        if (!head) stream.end(body);
        return;
      }
      case '/echo': {
        const chunks: Buffer[] = [];
        stream.on('data', (b: Buffer) => chunks.push(b));
        stream.on('end', () => {
          const body = Buffer.concat(chunks);
          stream.respond({ ':status': 200, 'content-length': body.length, 'x-body-sha256': sha256(body) });
          stream.end(body);
        });
        return;
      }
      case '/trailers':
        stream.resume();
        stream.respond({ ':status': 200, 'content-type': 'text/plain' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'x-interop-trailer': 'node' }));
        stream.end('trailers');
        return;
      case '/no-content':
        stream.resume();
        stream.respond({ ':status': 204 }, { endStream: true });
        return;
      default:
        stream.resume();
        stream.respond({ ':status': 404 }, { endStream: true });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    name: 'node:http2',
    origin: `https://localhost:${port}`,
    transport: { tls: { ca: TEST_CERT } },
    small: { path: '/hello', body: 'hello' },
    big: `/pattern?n=${MiB}`,
    upload: { method: 'POST', path: () => '/echo', check: { kind: 'echo', shaHeader: 'x-body-sha256' } },
    trailers: { path: '/trailers', body: 'trailers', fields: { 'x-interop-trailer': 'node' } },
    noContent: { path: '/no-content' },
    // With the 'stream' API nothing sends a 100 unless the handler does (the automatic one is the
    // compat API's, when no 'checkContinue' listener is set).
    sends100Continue: false,
    stop: async () => {
      // server.close() waits for every session to end: end any the client left open.
      for (const s of sessions) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
