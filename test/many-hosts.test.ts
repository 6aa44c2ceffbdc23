// Memory that does not grow with the number of hosts (issue 16): a Transport that has reached
// 20,000 distinct hosts (loopback addresses 127.x.y.z) holds, once their connections are closed
// and the heap collected, under 1 MB more than it held before them; stats() stays right for the
// hosts it lists and in its totals, and sums the rest in `unlisted`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Client, Transport } from '../src/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** The i-th distinct loopback address (never .0 or .255 in the last two bytes). */
function host(i: number): string {
  return `127.${1 + Math.floor(i / (254 * 254))}.${1 + (Math.floor(i / 254) % 254)}.${1 + (i % 254)}`;
}

function heap(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

test('20,000 hosts: heap growth under 1 MB after close and GC; stats() lists the recent ones and sums the rest', { timeout: 120_000 }, async () => {
  // One server answers on every 127.x.y.z: it listens on all addresses and serves only loopback peers.
  const server = http.createServer((req, res) => {
    if (!req.socket.remoteAddress?.startsWith('127.') && req.socket.remoteAddress !== '::ffff:127.0.0.1') {
      req.socket.destroy();
      return;
    }
    res.end('ok');
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  const port = (server.address() as AddressInfo).port;
  const transport = new Transport();
  const client = new Client({ transport, timeout: 10_000 });
  let next = 0;
  async function reach(count: number): Promise<void> {
    const end = next + count;
    const worker = async (): Promise<void> => {
      while (next < end) {
        const i = next++;
        const res = await client.get(`http://${host(i)}:${port}/`);
        assert.equal(await res.body.text(), 'ok');
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
  }
  try {
    // Warm up past every bound (the URL cache's 4096, the listed hosts' 1000), then measure.
    await reach(5_000);
    transport.closeIdleConnections();
    const before = heap();
    await reach(20_000);
    transport.closeIdleConnections();
    const grown = heap() - before;
    assert.ok(grown < 1024 * 1024, `heap grew ${(grown / 1024).toFixed(0)} KiB over 20,000 hosts`);
    console.log(`# many-hosts: heap growth over 20,000 hosts after close and GC: ${(grown / 1024).toFixed(0)} KiB`);

    // Nothing open: no host entry is left, and the counters add up.
    assert.equal(transport._hostEntries, 0);
    const s = transport.stats();
    const listed = Object.entries(s.hosts);
    assert.equal(listed.length, 1000, 'maxHostStats: the 1000 most recent hosts are listed');
    assert.equal(s.unlistedHosts, 25_000 - 1000);
    assert.equal(s.totals.requests, 25_000);
    assert.equal(s.totals.opened, 25_000);
    assert.equal(s.unlisted.requests, 24_000);
    const closed = Object.values(s.totals.closed).reduce((a, b) => a + b, 0);
    assert.equal(closed, 25_000, JSON.stringify(s.totals.closed));
    for (const [key, h] of listed) {
      assert.match(key, /^http:\/\/127\.\d+\.\d+\.\d+:\d+$/);
      assert.deepEqual([h.requests, h.opened, h.active, h.idle, h.dialing, h.waiting], [1, 1, 0, 0, 0, 0], key);
    }
    // The most recent host is listed; a host back from retirement keeps its counters.
    const last = `http://${host(24_999)}:${port}`;
    assert.equal(s.hosts[last]?.requests, 1);
    await (await client.get(`${last}/`)).body.text();
    assert.equal(transport.stats().hosts[last]?.requests, 2);
    assert.equal(transport.stats().hosts[last]?.reused, 0);
  } finally {
    await transport.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('maxHostStats: 0 lists only hosts with something open, and the totals still count every host', async () => {
  const server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const transport = new Transport({ maxHostStats: 0 });
  const client = new Client({ transport, timeout: 10_000 });
  try {
    for (let i = 0; i < 300; i++) await (await client.get(`http://127.0.0.1:${port}/?${i}`)).body.text();
    // One host, its connection idle: listed while it has one.
    assert.equal(transport.stats().hosts[`http://127.0.0.1:${port}`]?.requests, 300);
    transport.closeIdleConnections();
    const s = transport.stats();
    assert.deepEqual(Object.keys(s.hosts), []);
    assert.equal(s.unlistedHosts, 1);
    assert.equal(s.totals.requests, 300);
    assert.equal(s.totals.reused, 299);
    assert.equal(s.totals.closed['idle-closed'], 1);
  } finally {
    await transport.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
