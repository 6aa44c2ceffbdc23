// The keep-alive race against h2o: http1-request-timeout and http2-idle-timeout 1 s, HTTP/1.1
// and HTTP/2 (TLS). h2o has no per-connection request limit; the limit phase still runs
// requests back to back on reused connections.

import { test } from 'node:test';
import { assertReleased, resources } from './support/clean.js';
import { h2o } from './support/real-servers/h2o.js';
import { haveServer } from './support/real-servers/launch.js';
import { raceServer } from './support/real-servers/race.js';

test('h2o: idle closes at 1 s, HTTP/1.1 and HTTP/2; no GET fails, no POST twice', async (t) => {
  if (!haveServer(t, 'h2o', 'openssl')) return;
  const before = resources();
  const s = await h2o({ idleSeconds: 1 });
  await raceServer(t, s, [
    { origin: s.http, proto: 'HTTP/1.1', limitRequests: 20, expectClosed: ['server-closed', 'server-idle-limit'] },
    { origin: s.https!, proto: 'HTTP/2.0', limitRequests: 20, expectClosed: ['goaway', 'server-closed', 'server-idle-limit'] },
  ]);
  await assertReleased(before);
});
