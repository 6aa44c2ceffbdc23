// The embedded server `httpool bench` loads when no URL is given: node:http on 127.0.0.1, port
// 0, keep-alive, a small fixed body (or HTTP/2 without TLS, h2c, for --http2). It runs in a
// child process of its own (server-process.ts starts it, server-child.ts is the child's entry),
// so the server's work does not share the client's event loop. Its knobs reproduce the server side of the seed reports
// (a slow handler that makes callers pile up, a server that refuses keep-alive, a short idle
// timeout), so each kind of advice can be seen without a real service. It counts what it saw:
// the connections it accepted are the client-agnostic truth behind "connections opened".

import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';

export interface EmbeddedServerOptions {
  /** Answer each request after this many ms (makes concurrent callers overlap). @default 0 */
  delayMs?: number;
  /** Response body size in bytes. @default 100 */
  bodyBytes?: number;
  /** Answer with `Connection: close`: a server that refuses keep-alive. @default false */
  close?: boolean;
  /**
   * Close a connection idle this long WITHOUT announcing it, as Go's server does in seed 003
   * (node's own keepAliveTimeout says `Keep-Alive: timeout=N`, which httpool would honour, and
   * node 20 does not act on it below about a second). null: node's default, 5 s, announced.
   * @default null
   */
  idleTimeoutMs?: number | null;
  /** Speak HTTP/2 without TLS (prior knowledge, h2c) instead of HTTP/1.1. @default false */
  http2?: boolean;
}

export interface EmbeddedServerInfo {
  delayMs: number;
  bodyBytes: number;
  close: boolean;
  idleTimeoutMs: number | null;
  http2: boolean;
}

export interface EmbeddedServer {
  readonly url: string;
  readonly info: EmbeddedServerInfo;
  /** Connections accepted and requests answered so far. */
  counters(): { connections: number; requests: number };
  /** Stops listening and destroys every socket, so nothing keeps the process alive. */
  close(): Promise<void>;
}

export const DEFAULT_SERVER_BODY_BYTES = 100;

export async function startEmbeddedServer(opts: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const info: EmbeddedServerInfo = {
    delayMs: opts.delayMs ?? 0,
    bodyBytes: opts.bodyBytes ?? DEFAULT_SERVER_BODY_BYTES,
    close: opts.close ?? false,
    idleTimeoutMs: opts.idleTimeoutMs ?? null,
    http2: opts.http2 ?? false,
  };
  if (info.http2 && (info.close || info.idleTimeoutMs !== null)) {
    // Connection: close is not HTTP/2, and an unannounced idle close is an HTTP/1.1 story.
    throw new RangeError('the HTTP/2 embedded server has no close or idle-timeout behaviour');
  }
  const idleMs = info.idleTimeoutMs;
  const body = Buffer.alloc(info.bodyBytes, 'x');
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const idleTimers = new Map<Socket, NodeJS.Timeout>();
  const disarmIdle = (socket: Socket): void => {
    clearTimeout(idleTimers.get(socket));
    idleTimers.delete(socket);
  };
  // destroy(), not end(): a full close like Go's conn.Close(); a request racing it sees a reset.
  const armIdle = (socket: Socket): void => {
    if (idleMs === null) return;
    disarmIdle(socket);
    idleTimers.set(socket, setTimeout(() => socket.destroy(), idleMs));
  };
  let connections = 0;
  let requests = 0;

  type Req = http.IncomingMessage | http2.Http2ServerRequest;
  type Res = http.ServerResponse | http2.Http2ServerResponse;
  const answer = (req: Req, res: Res): void => {
    requests++;
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length };
    if (info.close) headers['Connection'] = 'close';
    // The two response types share these methods, but not one signature TypeScript can call.
    const r = res as http.ServerResponse;
    r.writeHead(200, headers);
    r.end(req.method === 'HEAD' ? undefined : body);
  };

  const handler = (req: Req, res: Res): void => {
    // Read (and drop) any request body first: answering before it arrived would make the
    // client see 'request-incomplete' closes that have nothing to do with its pool.
    // (The idle timer is HTTP/1.1 only: an h2 request's socket is a proxy, never armed.)
    const socket = req.socket as Socket;
    disarmIdle(socket);
    res.on('finish', () => armIdle(socket));
    req.resume();
    req.on('end', () => {
      if (info.delayMs <= 0) return answer(req, res);
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(req, res);
      }, info.delayMs);
      timers.add(timer);
    });
  };
  const server = info.http2 ? http2.createServer(handler) : http.createServer(handler);
  // With a silent idle timeout, node's announced one must never fire first.
  if (idleMs !== null && server instanceof http.Server) server.keepAliveTimeout = idleMs + 60_000;
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      disarmIdle(socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    info,
    counters: () => ({ connections, requests }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const t of idleTimers.values()) clearTimeout(t);
        idleTimers.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
