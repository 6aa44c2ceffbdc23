// Fault catalogue, connections: names that do not resolve, ports that refuse, thousands of
// refusals in a row, and the server closing a kept-alive connection just as it is reused
// (seed 003), modelled deterministically with the fault script: the server reads the next
// request and then closes without a byte of answer. Go's retry rule (src/transport/retry.ts)
// is tested from both sides. Nothing leaves loopback: DNS failures come from the Transport's
// `lookup` option.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupFunction } from 'node:net';
import { Client, HttpoolError, Request } from '../src/index.js';
import { hostile, within } from './support/catalogue.js';
import { resources } from './support/clean.js';
import { code } from './support/clients.js';
import type { Step } from './support/faults.js';
import { closedPort, until } from './support/servers.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** A resolver that fails every name with `errCode`, as getaddrinfo would; counts its calls. */
function failingLookup(errCode: string): { lookup: LookupFunction; calls: () => number } {
  let calls = 0;
  const lookup = ((hostname: string, _opts: unknown, cb: (err: NodeJS.ErrnoException) => void) => {
    calls++;
    const err: NodeJS.ErrnoException = new Error(`getaddrinfo ${errCode} ${hostname}`);
    err.code = errCode;
    err.syscall = 'getaddrinfo';
    process.nextTick(() => cb(err));
  }) as unknown as LookupFunction;
  return { lookup, calls: () => calls };
}

/**
 * Connection 0 answers one request, then reads the next one and ends with `end` (FIN or RST)
 * without a byte of response: the server's idle close racing our reuse, made deterministic.
 * Later connections answer every request.
 */
function closesOnSecond(end: Step): (i: number) => readonly Step[] {
  return (i) =>
    i === 0
      ? [{ read: 'request' }, { send: OK }, { read: 'request' }, end]
      : [{ read: 'request' }, { send: OK }, { read: 'request' }, { send: OK }];
}

function streamBody(text: string): AsyncIterable<Uint8Array> {
  return (async function* () {
    yield Buffer.from(text);
  })();
}

test('connection: DNS failure (ENOTFOUND and EAI_AGAIN from the resolver) — ERR_DNS, no connection attempted', async () => {
  for (const errCode of ['ENOTFOUND', 'EAI_AGAIN']) {
    const { lookup, calls } = failingLookup(errCode);
    await hostile([{ read: 'request' }, { send: OK }], { lookup }, async (c) => {
      await assert.rejects(
        within(c.client.get(`http://no-such-host.invalid:${c.server.port}/`), 4_000, 'GET'),
        code('ERR_DNS', (e) => {
          assert.match(e.message, /no-such-host\.invalid/);
          assert.match(e.message, new RegExp(errCode));
        }),
      );
      assert.ok(calls() >= 1, 'the lookup was consulted');
      const s = c.transport.stats().totals;
      assert.equal(s.opened, 0);
      assert.equal(s.dialing + s.active + s.idle + s.waiting, 0);
      assert.equal(c.server.connections, 0);
    });
  }
});

test('connection: refused — ERR_CONNECT, nothing left dialing or open', async () => {
  await hostile([], {}, async (c) => {
    const port = await closedPort();
    await assert.rejects(
      within(c.client.get(`http://127.0.0.1:${port}/`), 4_000, 'GET'),
      code('ERR_CONNECT', (e) => assert.match(e.message, /ECONNREFUSED/)),
    );
    const s = c.transport.stats().totals;
    assert.equal(s.opened, 0);
    assert.equal(s.dialing + s.active + s.idle + s.waiting, 0);
  });
});

test('connection: 10,000 refused connections in a row, 50 at a time — every one ERR_CONNECT, no descriptor growth', async () => {
  const TOTAL = 10_000;
  const PARALLEL = 50;
  await hostile([], {}, async (c) => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/`;
    const fdsBefore = resources().fds;
    let maxFds = fdsBefore;
    const codes = new Map<string, number>();
    let next = 0;
    const started = Date.now();
    const worker = async (): Promise<void> => {
      while (next < TOTAL) {
        next++;
        try {
          await c.client.get(url);
          codes.set('resolved', (codes.get('resolved') ?? 0) + 1);
        } catch (err) {
          const k = err instanceof HttpoolError ? err.code : `untyped ${String(err)}`;
          codes.set(k, (codes.get(k) ?? 0) + 1);
        }
        if (next % 500 === 0) maxFds = Math.max(maxFds, resources().fds);
        if (Date.now() - started > 20_000) throw new Error(`too slow: ${next} attempts in 20 s`);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const took = Date.now() - started;
    assert.deepEqual([...codes], [['ERR_CONNECT', TOTAL]], 'every attempt failed ERR_CONNECT');
    // At most one descriptor per attempt in flight (plus slack for the runtime), never growth.
    assert.ok(maxFds - fdsBefore <= PARALLEL + 10, `descriptors peaked ${maxFds - fdsBefore} above the start`);
    await until(() => resources().fds <= fdsBefore, 2_000, 'descriptors to come back to the start');
    const s = c.transport.stats().totals;
    assert.equal(s.opened, 0);
    assert.equal(s.dialing + s.active + s.idle + s.waiting, 0);
    assert.ok(took < 15_000, `took ${took} ms`);
  });
});

test('connection: server FIN just before reuse — an idempotent GET is retried once on a new connection and succeeds', async () => {
  await hostile(closesOnSecond({ fin: true }), {}, async (c) => {
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    const res = await within(c.client.get(`${c.server.url}/again`), 4_000, 'GET on the dying connection');
    assert.equal(await res.body.text(), 'ok');
    const s = c.transport.stats().totals;
    assert.equal(c.server.connections, 2, 'the retry went out on a new connection');
    assert.equal(c.server.heads.length, 3, 'first GET, the lost GET, its retry');
    assert.match(c.server.heads[2]!, /^GET \/again /, 'the retry is the same request');
    assert.equal(s.requests, 3);
    assert.equal(s.reused, 1, 'only the lost attempt was on a reused connection');
    assert.deepEqual(s.closed, { 'read-error': 1 }, 'the dead connection was discarded');
    // The new connection is the one kept; it serves the next request.
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    assert.equal(c.server.connections, 2);
  });
});

test('connection: server RST just before reuse — an idempotent GET is retried once on a new connection and succeeds', async () => {
  await hostile(closesOnSecond({ rst: true }), {}, async (c) => {
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    const res = await within(c.client.get(c.server.url), 4_000, 'GET on the reset connection');
    assert.equal(await res.body.text(), 'ok');
    assert.equal(c.server.connections, 2);
    assert.equal(c.transport.stats().totals.requests, 3);
    assert.deepEqual(c.transport.stats().totals.closed, { 'read-error': 1 });
  });
});

test('connection: server FIN just before reuse — a POST with a non-replayable (stream) body is not retried: ERR_CONNECTION_CLOSED', async () => {
  await hostile(closesOnSecond({ fin: true }), {}, async (c) => {
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    await assert.rejects(
      within(c.client.post(c.server.url, 'text/plain', streamBody('charge-card')), 4_000, 'POST'),
      code('ERR_CONNECTION_CLOSED', (e) => assert.match(e.message, /^POST http:\/\/127\.0\.0\.1/)),
    );
    assert.equal(c.server.connections, 1, 'no second connection: the POST was not sent again');
    assert.equal(c.server.heads.length, 2);
    assert.deepEqual(c.transport.stats().totals.closed, { 'read-error': 1 });
    assert.equal(c.transport.stats().totals.idle, 0);
  });
});

test('connection: server FIN just before reuse — a POST with a replayable body but no idempotency key is not retried', async () => {
  await hostile(closesOnSecond({ fin: true }), {}, async (c) => {
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    await assert.rejects(within(c.client.post(c.server.url, 'text/plain', 'charge-card'), 4_000, 'POST'), code('ERR_CONNECTION_CLOSED'));
    assert.equal(c.server.connections, 1);
    assert.equal(c.server.heads.length, 2);
  });
});

test('connection: server FIN just before reuse — a POST with an Idempotency-Key is retried only when its body is replayable', async () => {
  // Replayable (bytes) + key: retried on a new connection.
  await hostile(closesOnSecond({ fin: true }), {}, async (c) => {
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    const req = new Request('POST', c.server.url, { body: 'charge-card', headers: { 'Idempotency-Key': 'k1' } });
    const res = await within(c.client.do(req), 4_000, 'keyed POST');
    assert.equal(await res.body.text(), 'ok');
    assert.equal(c.server.connections, 2);
    assert.ok(c.server.received[1]!.toString('latin1').endsWith('\r\n\r\ncharge-card'), 'the whole body went out again');
  });
  // Stream + key: the body cannot be produced again, so no retry.
  await hostile(closesOnSecond({ fin: true }), {}, async (c) => {
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    const req = new Request('POST', c.server.url, { body: streamBody('charge-card'), headers: { 'Idempotency-Key': 'k2' } });
    await assert.rejects(within(c.client.do(req), 4_000, 'keyed stream POST'), code('ERR_CONNECTION_CLOSED'));
    assert.equal(c.server.connections, 1);
  });
});

test('connection: a fresh connection closed before any response byte is not retried, even for GET', async () => {
  await hostile((i) => (i === 0 ? [{ read: 'request' }, { fin: true }] : [{ read: 'request' }, { send: OK }]), {}, async (c) => {
    await assert.rejects(within(c.client.get(c.server.url), 4_000, 'GET'), code('ERR_CONNECTION_CLOSED'));
    assert.equal(c.server.connections, 1, 'Go: a new connection failing is a real error');
    assert.deepEqual(c.transport.stats().totals.closed, { 'read-error': 1 });
  });
});

test('connection: a reused connection closed after part of the response arrived is not retried, even for GET', async () => {
  const script = (i: number): readonly Step[] =>
    i === 0
      ? [{ read: 'request' }, { send: OK }, { read: 'request' }, { send: 'HTTP/1.1 200 O' }, { fin: true }]
      : [{ read: 'request' }, { send: OK }];
  await hostile(script, {}, async (c) => {
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    await assert.rejects(within(c.client.get(c.server.url), 4_000, 'GET'), code('ERR_PROTOCOL'));
    assert.equal(c.server.connections, 1, 'response bytes arrived: the server may have acted on it');
    assert.deepEqual(c.transport.stats().totals.closed, { 'read-error': 1 });
  });
});

test('connection: a pool full of connections the server has dropped — the retry skips the older idle ones and succeeds on a new connection', async () => {
  const N = 7;
  await hostile([{ read: 'request' }, { send: OK }, { read: 'request' }, { fin: true }], {}, async (c) => {
    // N connections, each answers once and then drops its next request.
    const first = await Promise.all(Array.from({ length: N }, () => c.client.get(c.server.url)));
    for (const r of first) assert.equal(await r.body.text(), 'ok');
    assert.equal(c.server.connections, N);
    assert.equal(c.transport.stats().totals.idle, N);
    // The freshest idle connection is dropped under the GET. Every other one has been idle at
    // least as long: a server that closed one (an idle timeout, Apache with its workers busy)
    // has closed or is closing them too, so the retry dials instead of trying them one by one
    // (Go would, and fail after five).
    const res = await within(c.client.get(c.server.url), 4_000, 'GET');
    assert.equal(await res.body.text(), 'ok');
    assert.equal(c.server.heads.length, N + 2);
    assert.equal(c.server.connections, N + 1);
    // The freshest of those it passed over is closed (idle-too-long); the rest and the new one stay.
    await until(() => c.transport.stats().totals.idle === N - 1, 2_000, 'the untried connections and the new one to stay');
    assert.deepEqual(c.transport.stats().totals.closed, { 'read-error': 1, 'idle-too-long': 1 });
  });
});

test('connection: server FIN racing reuse (no delay), 20 rounds — a GET always succeeds; a stream POST either succeeds on a fresh connection or fails typed', async () => {
  let retried = 0;
  let sawFinFirst = 0;
  let postFailed = 0;
  for (let round = 0; round < 20; round++) {
    // Every connection answers once and half-closes at once: the FIN and our next request cross.
    await hostile([{ read: 'request' }, { send: OK }, { fin: true }], {}, async (c) => {
      const client = new Client({ transport: c.transport, timeout: 4_000 });
      assert.equal(await (await client.get(c.server.url)).body.text(), 'ok');
      assert.equal(await within((async () => (await client.get(c.server.url)).body.text())(), 4_000, 'GET'), 'ok');
      if (c.transport.stats().totals.requests === 3) retried++;
      else sawFinFirst++;
      assert.equal(c.server.connections, 2);
      // Now a single-use body on the same race.
      try {
        const res = await within(client.post(c.server.url, 'text/plain', streamBody('once')), 4_000, 'POST');
        assert.equal(await res.body.text(), 'ok');
        assert.ok(c.server.received.some((b) => b.toString('latin1').endsWith('\r\n\r\n4\r\nonce\r\n0\r\n\r\n')));
      } catch (err) {
        assert.ok(err instanceof HttpoolError && err.code === 'ERR_CONNECTION_CLOSED', `typed error, got ${String(err)}`);
        postFailed++;
      }
    });
  }
  assert.equal(retried + sawFinFirst, 20, `retried ${retried}, FIN seen first ${sawFinFirst}, POST failed ${postFailed}`);
});
