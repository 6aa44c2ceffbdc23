// The keep-alive race against Go's net/http server alone (test/support/real-servers/go/main.go,
// built at test time): IdleTimeout 1 s for HTTP/1.1 and HTTP/2, and Connection: close on every
// 5th request of an HTTP/1.1 connection. See test/support/real-servers/race.ts for the shape.

import { test } from 'node:test';
import { assertReleased, resources } from './support/clean.js';
import { goServer } from './support/real-servers/go-server.js';
import { haveServer } from './support/real-servers/launch.js';
import { raceServer } from './support/real-servers/race.js';

test('Go net/http: idle closes at 1 s and Connection: close after 5 requests, HTTP/1.1 and HTTP/2; no GET fails, no POST twice', async (t) => {
  if (!haveServer(t, 'go', 'openssl')) return;
  const before = resources();
  const s = await goServer({ idleMs: 1000, maxPerConn: 5, tls: true });
  await raceServer(t, s, [
    { origin: s.http, proto: 'HTTP/1.1', limitRequests: 30, expectClosed: ['connection-close'] },
    { origin: s.https!, proto: 'HTTP/2.0', limitRequests: 30, expectClosed: ['goaway', 'server-closed', 'server-idle-limit'] },
  ]);
  await assertReleased(before);
});
