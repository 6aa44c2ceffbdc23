// The HTTP/2 side of the Node bench server: node:http2 answering each stream with the same
// bodies as the HTTP/1.1 listeners. There is no cheaper HTTP/2 server in Node to hand-roll, so
// this one costs the server more CPU than the raw HTTP/1.1 listener; with nginx as the server
// (the default) the h2 rows are served by nginx instead.
//
// GET /slow/<ms> (the HTTP/2 memory figures, bench/memory-h2.ts): the response headers at once,
// then the 2-byte body <ms> later, so the client holds an open stream meanwhile; counted in
// `parked` from the headers to the body.

import http2 from 'node:http2';
import { counters } from './counters.js';
import { MIB_BODY, POST_ANSWER, SMALL_BODY } from './bodies.js';

const { HTTP2_HEADER_PATH, HTTP2_HEADER_METHOD, HTTP2_HEADER_STATUS, HTTP2_HEADER_CONTENT_TYPE, HTTP2_HEADER_CONTENT_LENGTH } =
  http2.constants;

const MAX_SLOW_MS = 60_000;
const SLOW_PATH = /^\/slow\/(\d+)$/;

const BODIES: ReadonlyMap<string, Buffer> = new Map([
  ['GET /small', SMALL_BODY],
  ['GET /1mib', MIB_BODY],
  ['POST /post', POST_ANSWER],
]);

function ok(body: Buffer): http2.OutgoingHttpHeaders {
  return {
    [HTTP2_HEADER_STATUS]: 200,
    [HTTP2_HEADER_CONTENT_TYPE]: 'application/octet-stream',
    [HTTP2_HEADER_CONTENT_LENGTH]: body.length,
  };
}

/** Answers one request stream once its body (if any) is read: a body for a known route, 404 for the rest. */
function answer(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  counters.requests++;
  // A client resetting a stream must not crash the server child.
  stream.on('error', () => {});
  const body = BODIES.get(`${String(headers[HTTP2_HEADER_METHOD])} ${String(headers[HTTP2_HEADER_PATH])}`);
  stream.resume();
  stream.on('end', () => {
    if (stream.destroyed) return;
    const slow = headers[HTTP2_HEADER_METHOD] === 'GET' ? SLOW_PATH.exec(String(headers[HTTP2_HEADER_PATH])) : null;
    if (slow !== null) {
      hold(stream, Math.min(Number(slow[1]), MAX_SLOW_MS));
      return;
    }
    if (body === undefined) {
      stream.respond({ [HTTP2_HEADER_STATUS]: 404 }, { endStream: true });
      return;
    }
    stream.respond(ok(body));
    stream.end(body);
  });
}

/** Headers now, the body `ms` later (or nothing, if the stream goes first). */
function hold(stream: http2.ServerHttp2Stream, ms: number): void {
  stream.respond(ok(POST_ANSWER));
  counters.parked++;
  let parked = true;
  const unpark = (): void => {
    if (parked) counters.parked--;
    parked = false;
  };
  const timer = setTimeout(() => {
    unpark();
    if (!stream.destroyed) stream.end(POST_ANSWER);
  }, ms);
  stream.once('close', () => {
    clearTimeout(timer);
    unpark();
  });
}

/**
 * An h2-only TLS server (allowHTTP1 false): a client that cannot speak h2 fails its handshake,
 * never falls back. `maxConcurrentStreams`: the SETTINGS_MAX_CONCURRENT_STREAMS it advertises
 * (Node's default, unlimited, when absent; the h2-c256 row's listener says 128).
 */
export function createHttp2Server(key: Buffer, cert: Buffer, maxConcurrentStreams?: number): http2.Http2SecureServer {
  const settings = maxConcurrentStreams === undefined ? {} : { settings: { maxConcurrentStreams } };
  const server = http2.createSecureServer({ key, cert, allowHTTP1: false, ...settings });
  server.on('session', (session) => {
    counters.connections++;
    session.on('error', () => session.destroy());
  });
  server.on('stream', answer);
  return server;
}
