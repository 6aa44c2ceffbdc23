// The keep-alive race against HAProxy in front of a Go net/http server: timeout
// http-keep-alive (HTTP/1.1) and timeout client (idle HTTP/2) 1 s on the client side, and
// Connection: close on the 5th response of an HTTP/1.1 client connection (a session variable:
// HAProxy has no keepalive_requests); http-reuse safe to the backend, whose own connections
// close after 4 requests (HAProxy keeps the client's connection meanwhile). The Go backend
// counts the POSTs, so one resent by HAProxy or by the client shows.

import { test } from 'node:test';
import { assertReleased, resources } from './support/clean.js';
import { haproxy } from './support/real-servers/haproxy.js';
import { haveServer } from './support/real-servers/launch.js';
import { raceServer } from './support/real-servers/race.js';

test('HAProxy + Go: idle closes at 1 s and 5 requests per connection, HTTP/1.1 and HTTP/2; no GET fails, no POST twice', async (t) => {
  if (!haveServer(t, 'haproxy', 'go', 'openssl')) return;
  const before = resources();
  const s = await haproxy({ idleMs: 1000, maxRequests: 5, backendMaxPerConn: 4 });
  await raceServer(t, s, [
    { origin: s.http, proto: 'HTTP/1.1', limitRequests: 20, expectClosed: ['connection-close'] },
    { origin: s.https!, proto: 'HTTP/2.0', limitRequests: 20, expectClosed: ['goaway', 'server-closed', 'server-idle-limit'] },
  ]);
  await assertReleased(before);
});
