// The keep-alive race against lighttpd: server.max-keep-alive-idle 1 (whole seconds; lighttpd
// checks idle connections once a second, so it closes them between 1 and 2 s idle; the gaps
// reach 2.1 s), server.max-keep-alive-requests 5, HTTP/1.1 and HTTP/2 (TLS).

import { test } from 'node:test';
import { assertReleased, resources } from './support/clean.js';
import { haveServer } from './support/real-servers/launch.js';
import { lighttpd } from './support/real-servers/lighttpd.js';
import { raceServer } from './support/real-servers/race.js';

test('lighttpd: idle closes at 1-2 s and 5 requests per connection, HTTP/1.1 and HTTP/2; no GET fails, no POST twice', async (t) => {
  if (!haveServer(t, 'lighttpd', 'openssl')) return;
  const before = resources();
  const s = await lighttpd({ idleSeconds: 1, maxRequests: 5 });
  // 2.1 s: past any sweep, so an idle HTTP/2 connection is surely closed once.
  const gaps = [900, 1000, 1100, 1500, 2100];
  await raceServer(t, s, [
    { origin: s.http, proto: 'HTTP/1.1', gaps, limitRequests: 30, expectClosed: ['connection-close'] },
    { origin: s.https!, proto: 'HTTP/2.0', gaps, limitRequests: 30, expectClosed: ['goaway', 'server-closed', 'server-idle-limit'] },
  ]);
  await assertReleased(before);
});
