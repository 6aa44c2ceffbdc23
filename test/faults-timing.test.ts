// Fault catalogue, timing: servers that go quiet, answer too early, or close or reset the
// connection at awkward moments. Each case runs in `hostile(...)` (fresh fault server and
// Transport, nothing left behind afterwards) and checks the connection was discarded, never
// reused. Durations are margins on a loaded two-core machine, never exact sleeps; every wait
// is bounded so a regression fails instead of hanging.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, HttpoolError } from '../src/index.js';
import { hostile, within } from './support/catalogue.js';
import { code } from './support/clients.js';
import { until } from './support/servers.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** A streamed request body of `n` chunks, `gapMs` apart; records whether its source was released. */
function slowBody(n: number, size: number, gapMs: number) {
  const state = { yielded: 0, finished: false };
  async function* gen(): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < n; i++) {
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
        state.yielded++;
        yield Buffer.alloc(size, 0x61);
      }
    } finally {
      state.finished = true;
    }
  }
  return { body: gen(), state };
}

/** Counts unhandled rejections and uncaught exceptions while a case runs. */
function watchUnhandled(): { count: () => number; stop: () => void } {
  let n = 0;
  const onRejection = (): void => void n++;
  const onException = (): void => void n++;
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
  return {
    count: () => n,
    stop: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtExceptionMonitor', onException);
    },
  };
}

test('timing: response headers never come — responseHeaderTimeout fails ERR_TIMEOUT and closes the connection as timeout', async () => {
  await hostile([{ read: 'request' }, { stall: true }], { responseHeaderTimeout: 150 }, async (c) => {
    // The Client's own timeout is far longer: the transport's header timer must be what fires.
    const client = new Client({ transport: c.transport, timeout: 5_000 });
    const started = Date.now();
    await assert.rejects(
      within(client.get(c.server.url), 4_000, 'GET with responseHeaderTimeout'),
      code('ERR_TIMEOUT', (e) => assert.match(e.message, /responseHeaderTimeout/)),
    );
    const took = Date.now() - started;
    assert.ok(took >= 120 && took < 3_000, `fired after about 150 ms, took ${took} ms`);
    const s = c.transport.stats().totals;
    assert.deepEqual(s.closed, { timeout: 1 });
    assert.equal(s.active + s.idle, 0);
    assert.equal(c.server.heads.length, 1, 'the request went out once and was not retried');
  });
});

test('timing: response headers never come — the Client timeout fails ERR_TIMEOUT and closes the connection as timeout', async () => {
  await hostile([{ read: 'request' }, { stall: true }], {}, async (c) => {
    const client = new Client({ transport: c.transport, timeout: 200 });
    const started = Date.now();
    await assert.rejects(
      within(client.get(c.server.url), 4_000, 'GET with Client timeout'),
      code('ERR_TIMEOUT', (e) => assert.match(e.message, /client timeout of 200 ms/)),
    );
    const took = Date.now() - started;
    assert.ok(took >= 170 && took < 3_000, `fired after about 200 ms, took ${took} ms`);
    const s = c.transport.stats().totals;
    assert.deepEqual(s.closed, { timeout: 1 });
    assert.equal(s.active + s.idle, 0);
  });
});

test('timing: the body stalls mid-way — the Client timeout covers the body: ERR_TIMEOUT from the read, connection closed as timeout', async () => {
  const script = [
    { read: 'request' } as const,
    { send: `HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(100)}` },
    { stall: true } as const,
  ];
  await hostile(script, {}, async (c) => {
    const client = new Client({ transport: c.transport, timeout: 300 });
    const started = Date.now();
    const res = await within(client.get(c.server.url), 3_000, 'response head');
    assert.equal(res.statusCode, 200);
    assert.equal(c.transport.stats().totals.active, 1, 'the body holds its connection while it arrives');
    await assert.rejects(within(res.body.text(), 4_000, 'stalled body read'), code('ERR_TIMEOUT'));
    const took = Date.now() - started;
    assert.ok(took >= 270 && took < 3_000, `the whole exchange was limited to about 300 ms, took ${took} ms`);
    const s = c.transport.stats().totals;
    assert.deepEqual(s.closed, { timeout: 1 });
    assert.equal(s.active + s.idle, 0);
  });
});

test('timing: responseHeaderTimeout stops at the head — a body trickling in long after it is delivered whole and the connection reused', async () => {
  const script = [
    { read: 'request' } as const,
    { send: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' },
    // Body pieces at ~0, 150, 300 and 450 ms: well past the 250 ms header timeout.
    { trickle: '012345', chunk: 2, everyMs: 150 },
    { send: '6789' },
    { read: 'request' } as const,
    { send: OK },
  ];
  await hostile(script, { responseHeaderTimeout: 250 }, async (c) => {
    const client = new Client({ transport: c.transport, timeout: 5_000 });
    const started = Date.now();
    const res = await within(client.get(c.server.url), 3_000, 'response head');
    assert.equal(await within(res.body.text(), 4_000, 'trickled body'), '0123456789');
    const took = Date.now() - started;
    assert.ok(took >= 400, `the body really outlasted the header timeout (${took} ms)`);
    assert.deepEqual(c.transport.stats().totals.closed, {}, 'no timeout fired on the connection');
    assert.equal(await (await client.get(c.server.url)).body.text(), 'ok');
    assert.equal(c.server.connections, 1, 'the same connection served both');
    assert.deepEqual(c.transport.stats().totals.closed, {});
  });
});

test('timing: responseHeaderTimeout on a reused connection is final — ERR_TIMEOUT, closed as timeout, the GET is not sent again (Go retries only broken connections)', async () => {
  const script = (i: number) =>
    i === 0
      ? [{ read: 'request' } as const, { send: OK }, { read: 'request' } as const, { stall: true } as const]
      : [{ read: 'request' } as const, { send: OK }];
  await hostile(script, { responseHeaderTimeout: 150 }, async (c) => {
    const client = new Client({ transport: c.transport, timeout: 5_000 });
    assert.equal(await (await client.get(c.server.url)).body.text(), 'ok');
    const started = Date.now();
    await assert.rejects(
      within(client.get(c.server.url), 4_000, 'second GET'),
      code('ERR_TIMEOUT', (e) => assert.match(e.message, /responseHeaderTimeout/)),
    );
    const took = Date.now() - started;
    assert.ok(took < 2_000, `took ${took} ms`);
    assert.equal(c.server.connections, 1, 'a slow server is not a dead connection: the request was not repeated elsewhere');
    assert.equal(c.server.heads.length, 2);
    assert.deepEqual(c.transport.stats().totals.closed, { timeout: 1 });
  });
});

test('timing: the Client timeout on a reused connection is final — ERR_TIMEOUT, only that connection closed, the other idle ones kept', async () => {
  // Every connection answers once, then stalls on its next request.
  const script = [{ read: 'request' } as const, { send: OK }, { read: 'request' } as const, { stall: true } as const];
  await hostile(script, {}, async (c) => {
    const warm = await Promise.all([c.client.get(c.server.url), c.client.get(c.server.url), c.client.get(c.server.url)]);
    for (const r of warm) assert.equal(await r.body.text(), 'ok');
    assert.equal(c.transport.stats().totals.idle, 3);
    const client = new Client({ transport: c.transport, timeout: 200 });
    await assert.rejects(within(client.get(c.server.url), 4_000, 'GET'), code('ERR_TIMEOUT'));
    const s = c.transport.stats().totals;
    assert.deepEqual(s.closed, { timeout: 1 });
    assert.equal(s.idle, 2, 'the timeout did not burn the other idle connections on retries');
    assert.equal(c.server.heads.length, 4, 'sent once');
  });
});

test('timing: the server answers 413 before reading a streamed request body and keeps reading — the response is delivered, the connection closed as request-incomplete', async () => {
  const script = (i: number) =>
    i === 0
      ? [{ read: 'head' } as const, { send: 'HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\n\r\nbig!' }, { stall: true } as const]
      : [{ read: 'request' } as const, { send: OK }];
  await hostile(script, {}, async (c) => {
    // 64 chunks 5 ms apart: the body is nowhere near finished when the 413 arrives.
    const { body, state } = slowBody(64, 16 * 1024, 5);
    const res = await within(c.client.post(c.server.url, 'application/octet-stream', body), 4_000, 'POST');
    assert.equal(res.statusCode, 413);
    assert.equal(await res.body.text(), 'big!');
    await until(() => (c.transport.stats().totals.closed['request-incomplete'] ?? 0) === 1, 2_000, 'request-incomplete close');
    await until(() => state.finished, 2_000, 'the request body source to be released');
    assert.ok(state.yielded < 64, `the rest of the body was not sent (${state.yielded} of 64 chunks produced)`);
    // The next request never lands on that connection.
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    assert.equal(c.server.connections, 2);
    assert.deepEqual(c.transport.stats().totals.closed, { 'request-incomplete': 1 });
  });
});

test('timing: the server answers 200 with Connection: close before reading a streamed request body, then half-closes — delivered, closed as request-incomplete', async () => {
  const script = [
    { read: 'head' } as const,
    { send: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nearly' },
    { fin: true } as const,
  ];
  await hostile(script, {}, async (c) => {
    const { body, state } = slowBody(64, 16 * 1024, 5);
    const res = await within(c.client.post(c.server.url, 'application/octet-stream', body), 4_000, 'POST');
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 'early');
    await until(() => c.transport.stats().totals.active === 0, 2_000, 'the connection to close');
    const s = c.transport.stats().totals;
    assert.deepEqual(s.closed, { 'request-incomplete': 1 });
    assert.equal(s.idle, 0);
    await until(() => state.finished, 2_000, 'the request body source to be released');
  });
});

test('timing: the server answers before reading a large in-memory request body and keeps reading — the connection is closed as request-incomplete, never reused', async () => {
  const script = (i: number) =>
    i === 0 ? [{ read: 'head' } as const, { send: OK }, { stall: true } as const] : [{ read: 'request' } as const, { send: OK }];
  await hostile(script, {}, async (c) => {
    const client = new Client({ transport: c.transport, timeout: 3_000 });
    const big = Buffer.alloc(8 << 20, 0x62); // far more than the socket buffers hold
    const res = await within(client.post(c.server.url, 'application/octet-stream', big), 4_000, 'POST');
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 'ok');
    await until(
      () => (c.transport.stats().totals.closed['request-incomplete'] ?? 0) === 1,
      1_000,
      'the connection answered mid-body to close as request-incomplete',
    );
    assert.equal(await within((async () => (await client.get(c.server.url)).body.text())(), 4_000, 'next GET'), 'ok');
    assert.equal(c.server.connections, 2, 'the next request went out on a new connection');
  });
});

test('timing: server half-close (FIN) right after a complete response — the body is delivered, the connection leaves the pool as server-closed', async () => {
  const script = (i: number) =>
    i === 0 ? [{ read: 'request' } as const, { send: OK }, { fin: true } as const] : [{ read: 'request' } as const, { send: OK }];
  await hostile(script, {}, async (c) => {
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    await until(() => (c.transport.stats().totals.closed['server-closed'] ?? 0) === 1, 2_000, 'server-closed');
    assert.equal(c.transport.stats().totals.idle, 0);
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    const s = c.transport.stats().totals;
    assert.equal(c.server.connections, 2, 'a new connection for the next request');
    assert.equal(s.reused, 0, 'the half-closed connection was never reused');
    assert.equal(s.requests, 2, 'and nothing needed a retry');
  });
});

test('timing: server FIN in the middle of the response head — ERR_PROTOCOL (truncated head), closed as read-error, not retried', async () => {
  await hostile([{ read: 'request' }, { send: 'HTTP/1.1 200 OK\r\nContent-Le' }, { fin: true }], {}, async (c) => {
    await assert.rejects(
      within(c.client.get(c.server.url), 4_000, 'GET'),
      code('ERR_PROTOCOL', (e) => assert.match(e.message, /truncated response/)),
    );
    const s = c.transport.stats().totals;
    assert.deepEqual(s.closed, { 'read-error': 1 });
    assert.equal(s.active + s.idle, 0);
    assert.equal(c.server.connections, 1, 'a fresh connection failing is not retried');
  });
});

test('timing: RST while a large streamed request body is being written — ERR_WRITE/ERR_CONNECTION_CLOSED, closed as write-error, no hang, no unhandled error', async () => {
  const watch = watchUnhandled();
  try {
    await hostile([{ read: 'head' }, { readBytes: 256 * 1024 }, { rst: true }], {}, async (c) => {
      // 256 MiB if it were all sent; the reset comes after ~256 KiB.
      const { body, state } = slowBody(4096, 64 * 1024, 0);
      await assert.rejects(within(c.client.post(c.server.url, 'application/octet-stream', body), 5_000, 'POST'), (err: unknown) => {
        assert.ok(err instanceof HttpoolError, `typed error, got ${String(err)}`);
        assert.ok(['ERR_WRITE', 'ERR_CONNECTION_CLOSED'].includes(err.code), `code ${err.code}: ${err.message}`);
        return true;
      });
      await until(() => state.finished, 2_000, 'the request body source to be released');
      assert.ok(state.yielded < 4096, 'the body stopped being produced');
      const s = c.transport.stats().totals;
      assert.deepEqual(s.closed, { 'write-error': 1 });
      assert.equal(s.active + s.idle, 0);
      assert.equal(c.server.connections, 1, 'a POST is not retried');
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(watch.count(), 0, 'no unhandled rejection or uncaught exception');
  } finally {
    watch.stop();
  }
});

test('timing: RST while a large in-memory request body is being written — ERR_WRITE/ERR_CONNECTION_CLOSED, closed as write-error, no unhandled error', async () => {
  const watch = watchUnhandled();
  try {
    await hostile([{ read: 'head' }, { readBytes: 256 * 1024 }, { rst: true }], {}, async (c) => {
      const big = Buffer.alloc(16 << 20, 0x63);
      await assert.rejects(within(c.client.post(c.server.url, 'application/octet-stream', big), 5_000, 'POST'), (err: unknown) => {
        assert.ok(err instanceof HttpoolError, `typed error, got ${String(err)}`);
        assert.ok(['ERR_WRITE', 'ERR_CONNECTION_CLOSED'].includes(err.code), `code ${err.code}: ${err.message}`);
        return true;
      });
      const s = c.transport.stats().totals;
      assert.deepEqual(s.closed, { 'write-error': 1 });
      assert.equal(s.active + s.idle, 0);
      assert.equal(c.server.connections, 1, 'a POST is not retried');
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(watch.count(), 0, 'no unhandled rejection or uncaught exception');
  } finally {
    watch.stop();
  }
});
