// The HTTP/2 side of the bench server: node:http2 answering each stream with the same bodies
// as the HTTP/1.1 listeners. There is no cheaper HTTP/2 server in Node to hand-roll, so this
// one costs the server more CPU than the raw HTTP/1.1 listener; the h2 row compares the
// clients against each other, not against the HTTP/1.1 rows.

import http2 from 'node:http2';
import { counters } from './counters.js';
import { MIB_BODY, SMALL_BODY } from './bodies.js';

const { HTTP2_HEADER_PATH, HTTP2_HEADER_METHOD, HTTP2_HEADER_STATUS, HTTP2_HEADER_CONTENT_TYPE, HTTP2_HEADER_CONTENT_LENGTH } =
  http2.constants;

const BODIES: ReadonlyMap<string, Buffer> = new Map([
  ['/small', SMALL_BODY],
  ['/1mib', MIB_BODY],
]);

function ok(body: Buffer): http2.OutgoingHttpHeaders {
  return {
    [HTTP2_HEADER_STATUS]: 200,
    [HTTP2_HEADER_CONTENT_TYPE]: 'application/octet-stream',
    [HTTP2_HEADER_CONTENT_LENGTH]: body.length,
  };
}

/** Answers one request stream: a body for GET of a known path, 404 for the rest. */
function answer(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  counters.requests++;
  // A client resetting a stream must not crash the server child.
  stream.on('error', () => {});
  const path = headers[HTTP2_HEADER_PATH];
  const body = typeof path === 'string' && headers[HTTP2_HEADER_METHOD] === 'GET' ? BODIES.get(path) : undefined;
  if (body === undefined) {
    stream.respond({ [HTTP2_HEADER_STATUS]: 404 }, { endStream: true });
    return;
  }
  stream.respond(ok(body));
  stream.end(body);
}

/** An h2-only TLS server (allowHTTP1 false): a client that cannot speak h2 fails its handshake, never falls back. */
export function createHttp2Server(key: Buffer, cert: Buffer): http2.Http2SecureServer {
  const server = http2.createSecureServer({ key, cert, allowHTTP1: false });
  server.on('session', (session) => {
    counters.connections++;
    session.on('error', () => session.destroy());
  });
  server.on('stream', answer);
  return server;
}
