// The raw HTTP/1.1 side of the Node bench server: answers each request head it sees with a
// prebuilt response. Far cheaper than node:http, so the client side is what the numbers
// measure. It still speaks correct HTTP/1.1 keep-alive: Content-Length framing both ways (a
// request body is read and dropped), one response per request, in order, and it honours
// `Connection: close`. It works on any byte stream, so the same code serves plain TCP and TLS.
//
// Paths: GET /small, GET /1mib, POST /post (4 KiB body in, "ok" out), and GET /slow/<ms>,
// which answers "ok" after <ms> milliseconds (the memory measurements hold requests in flight
// with it; nginx cannot delay an answer without a module, so those run against this server).

import type { Duplex } from 'node:stream';
import { counters } from './counters.js';
import { MIB_BODY, POST_ANSWER, SMALL_BODY } from './bodies.js';

const MAX_HEAD_BYTES = 16 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_SLOW_MS = 60_000;

function canned(body: Buffer, close: boolean): Buffer {
  const head =
    'HTTP/1.1 200 OK\r\n' +
    'Content-Type: application/octet-stream\r\n' +
    `Content-Length: ${body.length}\r\n` +
    (close ? 'Connection: close\r\n' : '') +
    '\r\n';
  // One buffer per response kind, built once: write() never copies it.
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

interface Answer {
  keep: Buffer;
  close: Buffer;
}

const pair = (body: Buffer): Answer => ({ keep: canned(body, false), close: canned(body, true) });

const ROUTES: ReadonlyMap<string, Answer> = new Map([
  ['GET /small', pair(SMALL_BODY)],
  ['GET /1mib', pair(MIB_BODY)],
  ['POST /post', pair(POST_ANSWER)],
]);
const SLOW = pair(POST_ANSWER);
const NOT_FOUND = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1');
const BAD = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1');

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const CONNECTION_CLOSE = /\r\nconnection:[^\r\n]*\bclose\b/i;
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)[ \t]*\r\n/i;
const TRANSFER_ENCODING = /\r\ntransfer-encoding:/i;
const SLOW_PATH = /^GET \/slow\/(\d+) /;

interface Parsed {
  /** The answer, or null for a malformed or unsupported request (400, close). */
  answer: Buffer | null;
  close: boolean;
  bodyBytes: number;
  /** Hold the answer back this long (the /slow path); 0 answers at once. */
  delayMs: number;
}

function parse(head: Buffer): Parsed {
  // Header names are case-insensitive; regexes over a ~100-byte latin1 string are cheap.
  const text = head.toString('latin1');
  const close = CONNECTION_CLOSE.test(text);
  const bad = { answer: null, close: true, bodyBytes: 0, delayMs: 0 };
  // Chunked request bodies are not used by any client here; refuse rather than mis-frame.
  if (TRANSFER_ENCODING.test(text)) return bad;
  const len = CONTENT_LENGTH.exec(text);
  const bodyBytes = len === null ? 0 : Number(len[1]);
  if (bodyBytes > MAX_BODY_BYTES) return bad;
  const slow = SLOW_PATH.exec(text);
  if (slow !== null) {
    const delayMs = Math.min(Number(slow[1]), MAX_SLOW_MS);
    return { answer: close ? SLOW.close : SLOW.keep, close, bodyBytes, delayMs };
  }
  const sp = text.indexOf(' ', text.indexOf(' ') + 1);
  const route = ROUTES.get(sp < 0 ? '' : text.slice(0, sp));
  if (route === undefined) return { answer: NOT_FOUND, close: true, bodyBytes, delayMs: 0 };
  return { answer: close ? route.close : route.keep, close, bodyBytes, delayMs: 0 };
}

/** Serves one accepted connection (a net.Socket or a tls.TLSSocket) until it ends. */
export function serveHttp1(socket: Duplex): void {
  counters.connections++;
  let buf: Buffer = Buffer.alloc(0);
  /** Request body bytes still to drop. */
  let bodyLeft = 0;
  /** A /slow answer is pending: later requests wait for it (responses stay in order). */
  let parked = false;
  socket.on('error', () => socket.destroy());

  // Bounded by the bytes received: each pass consumes body bytes or one complete head.
  const pump = (): void => {
    while (!parked && !socket.destroyed) {
      if (bodyLeft > 0) {
        const n = Math.min(bodyLeft, buf.length);
        bodyLeft -= n;
        buf = buf.subarray(n);
        if (bodyLeft > 0) return;
      }
      const end = buf.indexOf(CRLFCRLF);
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) socket.end(BAD);
        return;
      }
      counters.requests++;
      const p = parse(buf.subarray(0, end + 4));
      buf = buf.subarray(end + 4);
      bodyLeft = p.bodyBytes;
      if (p.answer === null) {
        socket.end(BAD);
        return;
      }
      const answer = p.answer;
      if (p.delayMs > 0) {
        parked = true;
        counters.parked++;
        setTimeout(() => {
          counters.parked--;
          parked = false;
          if (socket.destroyed) return;
          if (p.close) socket.end(answer);
          else {
            socket.write(answer);
            pump();
          }
        }, p.delayMs);
        return;
      }
      if (p.close) {
        socket.end(answer);
        return;
      }
      socket.write(answer);
    }
  };

  socket.on('data', (chunk: Buffer) => {
    // A copy only when a head straddles reads; the common case keeps the chunk as is.
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    pump();
  });
}
