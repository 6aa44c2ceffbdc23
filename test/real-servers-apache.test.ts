// The keep-alive race against Apache httpd (event MPM, Debian's build, our own minimal config):
// - short limits (KeepAliveTimeout 1 s, MaxKeepAliveRequests 5), HTTP/1.1 and HTTP/2 (mod_http2);
// - Debian's defaults (KeepAliveTimeout 5, MaxKeepAliveRequests 100): 250 requests back to back;
// - workers busy: Apache closes its idle keep-alive connections all at once
//   (test/support/real-servers/apache-busy.ts).
// No GET may fail, no POST may reach Apache twice (its access log counts them), nothing is left open.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, Transport } from '../src/index.js';
import { assertReleased, resources } from './support/clean.js';
import { certificates } from './support/peers.js';
import { apache } from './support/real-servers/apache.js';
import { apacheBusyRace } from './support/real-servers/apache-busy.js';
import { haveServer } from './support/real-servers/launch.js';
import { raceServer } from './support/real-servers/race.js';

test('Apache: KeepAliveTimeout 1 s and MaxKeepAliveRequests 5, HTTP/1.1 and HTTP/2; no GET fails, no POST twice', async (t) => {
  if (!haveServer(t, 'apache2', 'openssl')) return;
  const before = resources();
  const s = await apache({ keepAliveMs: 1000, maxKeepAliveRequests: 5 });
  await raceServer(t, s, [
    { origin: s.http, proto: 'HTTP/1.1', limitRequests: 30, expectClosed: ['connection-close'] },
    { origin: s.https!, proto: 'HTTP/2.0', limitRequests: 30, expectClosed: ['goaway', 'server-closed', 'server-idle-limit'] },
  ]);
  await assertReleased(before);
});

test("Apache with Debian's keep-alive defaults (5 s, 100 requests): 250 requests back to back; HTTP/1.1 connections close at their 100th", async (t) => {
  if (!haveServer(t, 'apache2', 'openssl')) return;
  const before = resources();
  const s = await apache();
  const [h1, h2] = await raceServer(t, s, [
    { origin: s.http, proto: 'HTTP/1.1', gaps: [], wave: 2, limitRequests: 250, expectClosed: ['connection-close'] },
    { origin: s.https!, proto: 'HTTP/2.0', gaps: [], wave: 2, limitRequests: 250 },
  ]);
  // Two connections at a time, 100 requests each: at least two closed by Apache's limit.
  assert.ok((h1!.stats.closed['connection-close'] ?? 0) >= 2, JSON.stringify(h1!.stats.closed));
  assert.equal(h2!.stats.requests, 252, 'HTTP/2: every request went once');
  await assertReleased(before);
});

test('Apache with every worker busy drops its idle keep-alive connections at once: no GET fails, no POST twice', async (t) => {
  if (!haveServer(t, 'apache2', 'openssl')) return;
  const before = resources();
  const workers = 4;
  const s = await apache({ workers });
  const transport = new Transport({ proxy: null });
  const loader = new Transport({ proxy: null });
  let r;
  let seen: string[];
  try {
    r = await apacheBusyRace({
      origin: s.http,
      getPath: s.getPath,
      postPath: s.postPath,
      slowPath: s.slowPath,
      client: new Client({ transport }),
      loader: new Client({ transport: loader }),
      workers,
      rounds: 4,
      wave: 8,
      slowSeconds: 0.4,
      tag: `busy-${process.pid}`,
    });
  } finally {
    transport.close();
    loader.close();
    seen = await s.finish();
  }
  const st = transport.stats().totals;
  const counts = new Map<string, number>();
  for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  t.diagnostic(
    `GET ${r.gets} (errors ${r.getErrors.length}), POST ${r.postsSent.length} (failed ${r.postErrors.length}: ${r.postErrors.map((e) => e.code).join(', ')}), ` +
      `requests ${st.requests}, opened ${st.opened}; closed: ${JSON.stringify(st.closed)}`,
  );
  assert.deepEqual(r.getErrors, []);
  assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'no POST reached Apache twice');
  for (const id of r.postsAnswered) assert.equal(counts.get(id), 1);
  // Apache did drop connections under the requests: they were sent again (more attempts than calls).
  assert.ok(st.requests > r.gets + r.postsSent.length + 4 * 8, `retries happened: ${st.requests} attempts`);
  assert.deepEqual([st.active, st.idle, st.dialing, st.waiting], [0, 0, 0, 0]);
  await assertReleased(before);
});
