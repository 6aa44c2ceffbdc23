// The raw HTTP/1.1 side of the bench server: answers each request head it sees with a
// prebuilt response. Far cheaper than node:http, so the client side is what the numbers
// measure. It still speaks correct HTTP/1.1 keep-alive: Content-Length framing, one response
// per request, in order, and it honours `Connection: close`. It works on any byte stream, so
// the same code serves plain TCP and TLS sockets.

import type { Duplex } from 'node:stream';
import { counters } from './counters.js';
import { MIB_BODY, SMALL_BODY } from './bodies.js';

const MAX_HEAD_BYTES = 16 * 1024;

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

const RESPONSES = {
  small: canned(SMALL_BODY, false),
  smallClose: canned(SMALL_BODY, true),
  mib: canned(MIB_BODY, false),
  mibClose: canned(MIB_BODY, true),
  notFound: Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1'),
  bad: Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1'),
};

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const GET_SMALL = Buffer.from('GET /small ', 'latin1');
const GET_MIB = Buffer.from('GET /1mib ', 'latin1');

const CONNECTION_CLOSE = /\r\nconnection:[^\r\n]*\bclose\b/i;
const HAS_BODY = /\r\n(content-length:[ \t]*[1-9]|transfer-encoding:)/i;

/** Picks the canned answer for one request head, and whether the connection ends after it. */
function answer(head: Buffer): { response: Buffer; close: boolean } {
  // Header names are case-insensitive; regexes over a ~100-byte latin1 string are cheap.
  const text = head.toString('latin1');
  const close = CONNECTION_CLOSE.test(text);
  if (HAS_BODY.test(text)) {
    // The benchmark sends no request bodies; refuse rather than mis-frame the stream.
    return { response: RESPONSES.bad, close: true };
  }
  if (head.subarray(0, GET_SMALL.length).equals(GET_SMALL)) {
    return { response: close ? RESPONSES.smallClose : RESPONSES.small, close };
  }
  if (head.subarray(0, GET_MIB.length).equals(GET_MIB)) {
    return { response: close ? RESPONSES.mibClose : RESPONSES.mib, close };
  }
  return { response: RESPONSES.notFound, close: true };
}

/** Serves one accepted connection (a net.Socket or a tls.TLSSocket) until it ends. */
export function serveHttp1(socket: Duplex): void {
  counters.connections++;
  let pending: Buffer | null = null;
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    let buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
    pending = null;
    // Bounded by the bytes received: each pass consumes one complete head.
    for (;;) {
      const end = buf.indexOf(CRLFCRLF);
      if (end < 0) break;
      counters.requests++;
      const { response, close } = answer(buf.subarray(0, end + 4));
      buf = buf.subarray(end + 4);
      if (close) {
        socket.end(response);
        return;
      }
      socket.write(response);
    }
    if (buf.length > MAX_HEAD_BYTES) {
      socket.end(RESPONSES.bad);
      return;
    }
    if (buf.length > 0) pending = Buffer.from(buf);
  });
}
