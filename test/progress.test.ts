// Upload and download progress (trace hooks uploadProgress / downloadProgress, src/progress.ts)
// over real loopback servers, HTTP/1.1 and h2c: counts grow monotonically to the body's size,
// total is the length when known and -1 otherwise, events are throttled, and a request whose
// trace does not take them is not metered at all.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as dc from 'node:diagnostics_channel';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Client, Transport, type ProgressInfo } from '../src/index.js';
import { Meter, PROGRESS_BYTES, PROGRESS_MS } from '../src/progress.js';
import { setup } from './support/clients.js';
import { httpServer } from './support/servers.js';

const SIZE = 3 * 1024 * 1024 + 123; // not a multiple of any chunk size

/** A server that counts what each request sent and answers `/bytes/<n>` with n bytes, with or without Content-Length. */
async function server(t: TestContext) {
  const received: number[] = [];
  const srv = await httpServer((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      received.push(n);
      const m = /^\/bytes\/(\d+)(\/chunked)?$/.exec(req.url!);
      if (m === null) return void res.end('ok');
      const size = Number(m[1]);
      if (m[2] === undefined) res.setHeader('Content-Length', size);
      writeSlowly(res, size);
    });
  });
  t.after(() => srv.close());
  return { url: srv.url, received };
}

/** n bytes in 16 KiB writes, honouring backpressure (so the client sees the body arrive in pieces). */
function writeSlowly(res: { write(b: Buffer): boolean; end(): void; once(e: 'drain', f: () => void): unknown }, n: number): void {
  const block = Buffer.alloc(16 * 1024, 7);
  const step = (): void => {
    while (n > 0) {
      const b = block.subarray(0, Math.min(n, block.length));
      n -= b.length;
      if (!res.write(b)) return void res.once('drain', step);
    }
    res.end();
  };
  step();
}

/** The events seen, and the checks every series must pass. */
function recorder() {
  const events: ProgressInfo[] = [];
  return {
    events,
    hook: (info: ProgressInfo) => events.push({ ...info }),
    /** Monotonic, ending at `size`, the same total throughout, and throttled over `ms` of transfer. */
    check(size: number, total: number, ms: number): void {
      assert.ok(events.length >= 1, 'at least one event');
      for (let i = 0; i < events.length; i++) {
        assert.equal(events[i]!.total, total, `event ${i}'s total`);
        if (i > 0) assert.ok(events[i]!.transferred > events[i - 1]!.transferred, `event ${i} grows: ${JSON.stringify(events.slice(i - 1, i + 1))}`);
      }
      assert.equal(events.at(-1)!.transferred, size, 'the last event has every byte');
      // Throttled: one per 64 KiB or per 100 ms at most (plus the last), not one per socket read.
      const bound = Math.ceil(size / PROGRESS_BYTES) + Math.ceil(ms / PROGRESS_MS) + 1;
      assert.ok(events.length <= bound, `${events.length} events for ${size} bytes in ${ms} ms (bound ${bound})`);
    },
  };
}

test('upload: a 3 MB Uint8Array body reports as it goes, monotonic, total = its length', async (t) => {
  const srv = await server(t);
  const { client } = setup(t);
  const up = recorder();
  const start = Date.now();
  const res = await client.post(srv.url, 'application/octet-stream', new Uint8Array(SIZE), { trace: { uploadProgress: up.hook } });
  await res.body.text();
  up.check(SIZE, SIZE, Date.now() - start);
  assert.ok(up.events.length >= SIZE / PROGRESS_BYTES / 2, `reported as it went: ${up.events.length} events`);
  assert.deepEqual(srv.received, [SIZE]);
});

test('upload: a stream body of unknown length reports total -1 and ends at the bytes sent', async (t) => {
  const srv = await server(t);
  const { client } = setup(t);
  const up = recorder();
  async function* chunks(): AsyncIterable<Uint8Array> {
    for (let sent = 0; sent < SIZE; sent += 10_000) yield new Uint8Array(Math.min(10_000, SIZE - sent));
  }
  const start = Date.now();
  const res = await client.post(srv.url, 'application/octet-stream', chunks(), { trace: { uploadProgress: up.hook } });
  await res.body.text();
  up.check(SIZE, -1, Date.now() - start);
  assert.deepEqual(srv.received, [SIZE]);
});

test('upload: a FormData body reports against its Content-Length', async (t) => {
  const srv = await server(t);
  const { client } = setup(t);
  const up = recorder();
  const fd = new FormData();
  fd.append('field', 'value');
  fd.append('file', new Blob([new Uint8Array(SIZE)]), 'f.bin');
  const start = Date.now();
  const res = await client.post(srv.url, null, fd, { trace: { uploadProgress: up.hook } });
  await res.body.text();
  const total = srv.received[0]!;
  assert.ok(total > SIZE);
  up.check(total, total, Date.now() - start);
});

test('upload: a 307 sends the body again and its progress starts again from 0', async (t) => {
  const srv = await httpServer((req, res) => {
    req.resume();
    req.on('end', () => (req.url === '/a' ? res.writeHead(307, { location: '/b' }).end() : res.end('ok')));
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const up = recorder();
  const res = await client.post(`${srv.url}/a`, null, new Uint8Array(200_000), { trace: { uploadProgress: up.hook } });
  await res.body.text();
  const ends = up.events.filter((e) => e.transferred === 200_000);
  assert.equal(ends.length, 2, 'each attempt reaches the whole body');
  const restart = up.events.findIndex((e, i) => i > 0 && e.transferred < up.events[i - 1]!.transferred);
  assert.ok(restart > 0, 'the second attempt counts from the start');
});

test('download: Content-Length known, total is it, events grow to the body size as it is read', async (t) => {
  const srv = await server(t);
  const { client } = setup(t);
  const down = recorder();
  const start = Date.now();
  const res = await client.get(`${srv.url}/bytes/${SIZE}`, { trace: { downloadProgress: down.hook } });
  assert.equal(res.contentLength, SIZE);
  let read = 0;
  for await (const chunk of res.body) {
    read += chunk.length;
    // Counted on arrival: never behind what the caller has read.
    assert.ok((down.events.at(-1)?.transferred ?? 0) > read - PROGRESS_BYTES, 'progress keeps up with reading');
  }
  assert.equal(read, SIZE);
  down.check(SIZE, SIZE, Date.now() - start);
  assert.ok(down.events.length > 2, `reported as it went: ${down.events.length} events`);
});

test('download: chunked (length unknown) reports total -1; bytes() reports too', async (t) => {
  const srv = await server(t);
  const { client } = setup(t);
  const down = recorder();
  const start = Date.now();
  const res = await client.get(`${srv.url}/bytes/${SIZE}/chunked`, { trace: { downloadProgress: down.hook } });
  assert.equal(res.contentLength, -1);
  assert.equal((await res.body.bytes()).length, SIZE);
  down.check(SIZE, -1, Date.now() - start);
});

test('download: a small body that arrived with its head reports once, complete; an empty one reports 0', async (t) => {
  const srv = await server(t);
  const { client } = setup(t);
  const small = recorder();
  await (await client.get(`${srv.url}/bytes/10`, { trace: { downloadProgress: small.hook } })).body.text();
  assert.deepEqual(small.events, [{ transferred: 10, total: 10 }]);
  const empty = recorder();
  await (await client.get(`${srv.url}/bytes/0`, { trace: { downloadProgress: empty.hook } })).body.text();
  assert.deepEqual(empty.events, [{ transferred: 0, total: 0 }]);
});

test('HTTP/2 (h2c): upload and download progress through the stream path, without piling listeners on the stream', async (t) => {
  // The h2 writer waits for 'drain' hundreds of times here; each wait once left a 'close' listener behind.
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on('warning', onWarning);
  t.after(() => void process.off('warning', onWarning));
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    let n = 0;
    stream.on('data', (c: Buffer) => (n += c.length));
    stream.on('end', () => {
      if (headers[':path'] === '/up') {
        stream.respond({ ':status': 200 });
        stream.end(String(n));
        return;
      }
      stream.respond({ ':status': 200, 'content-length': String(SIZE) });
      writeSlowly(stream, SIZE);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const transport = new Transport({ unencryptedHTTP2: true, proxy: null });
  // The transport first: an http2 server's close() waits for its sessions to end.
  t.after(async () => {
    await transport.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const client = new Client({ transport });
  const up = recorder();
  let start = Date.now();
  const res = await client.post(`${url}/up`, null, new Uint8Array(SIZE), { trace: { uploadProgress: up.hook } });
  assert.equal(res.proto, 'HTTP/2.0');
  assert.equal(await res.body.text(), String(SIZE));
  up.check(SIZE, SIZE, Date.now() - start);
  const down = recorder();
  start = Date.now();
  const got = await client.get(`${url}/down`, { trace: { downloadProgress: down.hook } });
  assert.equal((await got.body.bytes()).length, SIZE);
  down.check(SIZE, SIZE, Date.now() - start);
  await new Promise<void>((r) => setImmediate(r));
  assert.deepEqual(warnings, []);
});

test('untraced requests are not metered; a trace without the hooks neither; a channel subscriber is', async (t) => {
  const srv = await server(t);
  const { client } = setup(t);
  // Count the meter's work, whoever asks for it.
  let counted = 0;
  const add = Meter.prototype.add;
  Meter.prototype.add = function (this: Meter, n: number) {
    counted++;
    add.call(this, n);
  };
  t.after(() => {
    Meter.prototype.add = add;
  });
  const exchange = async (init: Parameters<Client['post']>[3]): Promise<void> => {
    const res = await client.post(`${srv.url}/bytes/200000`, null, new Uint8Array(200_000), init);
    assert.equal((await res.body.bytes()).length, 200_000);
  };
  await exchange({});
  await exchange({ trace: { wroteHeaders() {}, gotFirstResponseByte() {} } });
  assert.equal(counted, 0, 'nothing metered without a progress hook or subscriber');

  const seen: string[] = [];
  const onUp = (m: unknown): void => void seen.push(`up ${(m as { info: ProgressInfo }).info.transferred}`);
  const onDown = (m: unknown): void => void seen.push(`down ${(m as { info: ProgressInfo }).info.transferred}`);
  dc.subscribe('httpool:uploadProgress', onUp);
  dc.subscribe('httpool:downloadProgress', onDown);
  t.after(() => {
    dc.unsubscribe('httpool:uploadProgress', onUp);
    dc.unsubscribe('httpool:downloadProgress', onDown);
  });
  await exchange({});
  assert.ok(counted > 0, 'a subscriber makes the transport meter');
  assert.ok(seen.includes('up 200000') && seen.includes('down 200000'), seen.join(', '));
});

test('Meter: throttles to one event per 64 KiB, reports the end once', () => {
  const events: ProgressInfo[] = [];
  const meter = new Meter({ hooks: { uploadProgress: (i) => events.push(i) }, request: null as never }, 'uploadProgress', 1_000_000);
  for (let i = 0; i < 1000; i++) meter.add(1000);
  meter.end();
  meter.end();
  assert.ok(events.length <= Math.ceil(1_000_000 / PROGRESS_BYTES) + 2, `${events.length} events`);
  assert.deepEqual(events.at(-1), { transferred: 1_000_000, total: 1_000_000 });
  assert.equal(events.filter((e) => e.transferred === 1_000_000).length, 1);
});
