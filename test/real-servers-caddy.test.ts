// The keep-alive race against Caddy: servers.timeouts.idle 1 s, HTTP/1.1 and HTTP/2 (TLS).
// Caddy has no per-connection request limit; the limit phase still runs requests back to back
// on reused connections.

import { test } from 'node:test';
import { assertReleased, resources } from './support/clean.js';
import { caddy } from './support/real-servers/caddy.js';
import { haveServer } from './support/real-servers/launch.js';
import { raceServer } from './support/real-servers/race.js';

test('Caddy: idle closes at 1 s, HTTP/1.1 and HTTP/2; no GET fails, no POST twice', async (t) => {
  if (!haveServer(t, 'caddy', 'openssl')) return;
  const before = resources();
  const s = await caddy({ idleMs: 1000 });
  await raceServer(t, s, [
    { origin: s.http, proto: 'HTTP/1.1', limitRequests: 20, expectClosed: ['server-closed', 'server-idle-limit'] },
    { origin: s.https!, proto: 'HTTP/2.0', limitRequests: 20, expectClosed: ['goaway', 'server-closed', 'server-idle-limit'] },
  ]);
  await assertReleased(before);
});
