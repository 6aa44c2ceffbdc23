// Loopback servers for tests: a node:http server for ordinary traffic and a raw TCP server
// that speaks scripted bytes. Each counts connections and closes every socket on close(), so a
// test leaves nothing behind.

import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Sockets currently open. */
  readonly open: number;
  close(): Promise<void>;
}

export async function httpServer(
  handler: http.RequestListener,
  configure?: (s: http.Server) => void,
): Promise<TestServer & { server: http.Server }> {
  const server = http.createServer(handler);
  configure?.(server);
  return track(server, (s) => ({ server: s as http.Server }));
}

/** A node:http server listening on a Unix socket at `path` (as Docker's daemon does); `url` is http://localhost. */
export async function unixHttpServer(handler: http.RequestListener, path: string): Promise<TestServer & { server: http.Server; path: string }> {
  const server = http.createServer(handler);
  return track(server, (s) => ({ server: s as http.Server, path }), path);
}

/** A server that hands each raw socket to `onConn`; the script decides every byte. */
export async function rawServer(onConn: (socket: net.Socket, index: number) => void): Promise<TestServer> {
  let index = 0;
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    onConn(socket, index++);
  });
  return track(server, () => ({}));
}

/** Counts and closes the server's sockets; listens on loopback TCP, or on the Unix socket `path`. */
async function track<S extends net.Server, X>(server: S, extra: (s: S) => X, path: string | null = null): Promise<TestServer & X> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  server.on('connection', (s: net.Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => (path === null ? server.listen(0, '127.0.0.1', resolve) : server.listen(path, resolve)));
  const port = path === null ? (server.address() as AddressInfo).port : 0;
  return {
    url: path === null ? `http://127.0.0.1:${port}` : 'http://localhost',
    port,
    get connections() {
      return connections;
    },
    get open() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
    ...extra(server),
  };
}

/**
 * Reads one request head (and a Content-Length body) from a raw socket, calling `fn` with it
 * each time; enough for scripted servers that answer request by request.
 */
export function onRequests(socket: net.Socket, fn: (head: string, body: Buffer) => void): void {
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const len = m ? Number(m[1]) : 0;
      if (buf.length < end + 4 + len) return;
      const body = buf.subarray(end + 4, end + 4 + len);
      buf = buf.subarray(end + 4 + len);
      fn(head, body);
    }
  });
}

/** Resolves when `cond` holds, polling every few ms; rejects after `ms` (a margin, not a sleep). */
export async function until(cond: () => boolean, ms = 2_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A loopback port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
