// Servers that remember what they received: a node:http server recording each request (method,
// path, headers as parsed and as sent, body bytes, which connection), and a raw TCP server
// recording every byte per connection. Built on servers.ts, so they close like the others.

import type * as http from 'node:http';
import type * as net from 'node:net';
import { httpServer, rawServer, type TestServer } from './servers.js';

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  /** Index of the connection it arrived on (0 = first accepted). */
  conn: number;
}

export type Responder = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;

/** A node:http server that records every request (body read in full) before `respond` runs. */
export async function recordingServer(
  respond: Responder = (_req, res) => res.end('ok'),
): Promise<TestServer & { server: http.Server; seen: Seen[] }> {
  const seen: Seen[] = [];
  const connIndex = new WeakMap<net.Socket, number>();
  let nextConn = 0;
  const srv = await httpServer(
    (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const s: Seen = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(parts),
          conn: connIndex.get(req.socket) ?? -1,
        };
        seen.push(s);
        respond(req, res, s);
      });
    },
    (server) => {
      server.on('connection', (s: net.Socket) => connIndex.set(s, nextConn++));
    },
  );
  return Object.assign(srv, { seen });
}

/**
 * A raw server that records each connection's bytes and lets `onData` answer: it is called with
 * the connection's socket and everything received on it so far, after each chunk.
 */
export async function bytesServer(
  onData: (socket: net.Socket, received: Buffer, index: number) => void = () => {},
): Promise<TestServer & { received: Buffer[] }> {
  const received: Buffer[] = [];
  const srv = await rawServer((socket, index) => {
    received[index] = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received[index] = Buffer.concat([received[index]!, chunk]);
      onData(socket, received[index]!, index);
    });
  });
  return Object.assign(srv, { received });
}

/** Splits a raw request into its request line, header lines and what follows the head. */
export function splitHead(raw: Buffer): { requestLine: string; headerLines: string[]; rest: Buffer } | null {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  return { requestLine: lines[0]!, headerLines: lines.slice(1), rest: raw.subarray(end + 4) };
}
