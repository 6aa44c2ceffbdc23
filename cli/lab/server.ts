// The lab's embedded HTTP/1.1 server (node:http, in this process, 127.0.0.1, port 0). Each
// lab run starts a fresh one, so its counters and port belong to that run alone: sockets a
// client pooled in an earlier run point at an old port and never count here. The server's
// own view (connections accepted, requests served, bodies that arrived short) is the
// client-agnostic truth the table reports.

import http from 'node:http';
import type { Socket } from 'node:net';
import type { Server } from 'node:http';
import { portInUse } from './sockets.js';

export const PAGE_BYTES = 16 * 1024;
export const HEARTBEAT_BYTES = 4 * 1024;
export const SMALL_BYTES = 100;
export const UPLOAD_BYTES = 64 * 1024;

export interface LabServerOptions {
  /**
   * Close a connection after it has been idle this long, WITHOUT announcing it in a
   * Keep-Alive header (node:http's own keepAliveTimeout sends `Keep-Alive: timeout=N`,
   * which a client could honour; Go's server, as in seed 003, says nothing).
   */
  silentIdleCloseMs?: number;
}

export interface LabCounters {
  connections: number;
  requests: number;
  /** POST /upload requests received. */
  uploads: number;
  /** Upload bodies whose length was not UPLOAD_BYTES (or that ended early). */
  shortBodies: number;
}

export interface LabServer {
  readonly port: number;
  readonly counters: Readonly<LabCounters>;
  url(path: string): string;
  /** Closes the connections that have no request in flight, as an idle timeout would. */
  closeIdle(): void;
  close(): Promise<void>;
}

const PAGE = Buffer.alloc(PAGE_BYTES, 'p');
const HEARTBEAT = Buffer.alloc(HEARTBEAT_BYTES, 'h');
const SMALL = Buffer.alloc(SMALL_BYTES, 's');

function send(res: http.ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
  res.end(body);
}

/** Reads the request body, counting bytes only. Resolves false if the request ended early. */
function consume(req: http.IncomingMessage): Promise<{ bytes: number; complete: boolean }> {
  return new Promise((resolve) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => resolve({ bytes, complete: true }));
    req.on('aborted', () => resolve({ bytes, complete: false }));
    req.on('error', () => resolve({ bytes, complete: false }));
  });
}

export async function startLabServer(opts: LabServerOptions = {}): Promise<LabServer> {
  const counters: LabCounters = { connections: 0, requests: 0, uploads: 0, shortBodies: 0 };
  const idleMs = opts.silentIdleCloseMs;
  const idleTimers = new Map<Socket, NodeJS.Timeout>();

  const armIdle = (socket: Socket): void => {
    if (idleMs === undefined) return;
    clearTimeout(idleTimers.get(socket));
    // destroy(), not end(): a full close like Go's conn.Close(); a request racing it gets a RST.
    idleTimers.set(socket, setTimeout(() => socket.destroy(), idleMs));
  };
  const disarmIdle = (socket: Socket): void => {
    clearTimeout(idleTimers.get(socket));
    idleTimers.delete(socket);
  };

  const server = http.createServer(async (req, res) => {
    counters.requests++;
    disarmIdle(req.socket);
    res.on('finish', () => armIdle(req.socket));
    const { bytes, complete } = await consume(req);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/page') return send(res, 200, PAGE);
    if (req.method === 'GET' && path === '/small') return send(res, 200, SMALL);
    if (req.method === 'POST' && path === '/heartbeat') return send(res, 200, HEARTBEAT);
    if (req.method === 'POST' && path === '/upload') {
      counters.uploads++;
      if (!complete || bytes !== UPLOAD_BYTES) {
        counters.shortBodies++;
        return send(res, 400, Buffer.from(`short body: ${bytes} of ${UPLOAD_BYTES} bytes\n`));
      }
      return send(res, 200, Buffer.from('ok\n'));
    }
    send(res, 404, Buffer.from('not found\n'));
  });
  // 0 disables node:http's own idle close and its Keep-Alive header when we close silently.
  server.keepAliveTimeout = idleMs === undefined ? 5_000 : 0;
  server.on('connection', (socket: Socket) => {
    counters.connections++;
    armIdle(socket);
    socket.on('close', () => disarmIdle(socket));
  });

  const port = await listenOnUnusedPort(server);

  return {
    port,
    counters,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    closeIdle: () => server.closeIdleConnections(),
    async close() {
      for (const t of idleTimers.values()) clearTimeout(t);
      idleTimers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * Listens on a kernel-chosen port that no other socket mentions (see portInUse): an earlier
 * row's TIME_WAIT sockets must not be counted against this one. A few tries at most.
 */
async function listenOnUnusedPort(server: Server): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('lab server: no TCP address');
    if (attempt >= 20 || !(await portInUse(addr.port))) return addr.port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
