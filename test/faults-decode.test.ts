// Fault catalogue, decompression: what a hostile server can do with Content-Encoding when
// httpool decodes transparently (it asked for gzip, deflate, br itself). Stacked codings,
// bombs, endless empty gzip members, corrupt and truncated streams: each ends in a typed
// result within bounded time, and a connection whose body was not read off the wire to its
// end is discarded, never reused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { hostile, within } from './support/catalogue.js';
import { code } from './support/clients.js';
import type { Step } from './support/faults.js';
import { until } from './support/servers.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

function head(encoding: string | string[], length: number): string {
  const lines = (Array.isArray(encoding) ? encoding : [encoding]).map((e) => `Content-Encoding: ${e}\r\n`).join('');
  return `HTTP/1.1 200 OK\r\n${lines}Content-Length: ${length}\r\n\r\n`;
}

/** Head and body in one write: the whole body is on the wire at once. */
function whole(encoding: string | string[], body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(head(encoding, body.length), 'latin1'), body]);
}

/** Connection 0 runs `first`; every later connection answers plainly. */
function then(first: readonly Step[]): (i: number) => readonly Step[] {
  return (i) => (i === 0 ? first : [{ read: 'request' }, { send: OK }]);
}

test('decode: 7 stacked codings in one header (Content-Encoding: gzip ×7) — not decoded at all: the body is left as sent, with its header', async () => {
  // Seven layers over 64 MiB of zeros: decoding them all would be a layered bomb.
  let body = Buffer.alloc(64 << 20);
  for (let i = 0; i < 7; i++) body = zlib.gzipSync(body);
  const enc = Array(7).fill('gzip').join(', ');
  await hostile([{ read: 'request' }, { send: whole(enc, body) }, { read: 'request' }, { send: OK }], {}, async (c) => {
    const res = await within(c.client.get(c.server.url), 4_000, 'GET');
    assert.equal(res.uncompressed, false);
    assert.equal(res.headers.get('content-encoding'), enc);
    assert.equal(res.contentLength, body.length);
    assert.deepEqual(Buffer.from(await within(res.body.bytes(), 4_000, 'body')), body, 'exactly the bytes sent');
    // An ordinary, fully read response: the connection stays in step and is reused.
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    assert.equal(c.server.connections, 1);
    assert.deepEqual(c.transport.stats().totals.closed, {});
  });
});

test('decode: 7 stacked codings as separate Content-Encoding lines — not decoded: the body is left as sent', async () => {
  let body = Buffer.from('layered');
  for (let i = 0; i < 7; i++) body = zlib.gzipSync(body);
  await hostile([{ read: 'request' }, { send: whole(Array(7).fill('gzip'), body) }], {}, async (c) => {
    const res = await within(c.client.get(c.server.url), 4_000, 'GET');
    assert.equal(res.uncompressed, false);
    assert.deepEqual(res.headers.values('content-encoding'), Array(7).fill('gzip'));
    assert.deepEqual(Buffer.from(await res.body.bytes()), body);
  });
});

test('decode: a gzip bomb (10 MiB of zeros in ~10 KiB) arriving mid-body — ERR_BODY_TOO_LARGE under the default ratio limit, closed as body-too-large', async () => {
  const bomb = zlib.gzipSync(Buffer.alloc(10 << 20));
  assert.ok(bomb.length < 20 * 1024 && bomb.length * 200 < 10 << 20, `a bomb: ${bomb.length} bytes`);
  const script = then([
    { read: 'request' },
    { send: head('gzip', bomb.length) },
    // ~10 KiB in 512-byte pieces 10 ms apart: the limit trips long before the last piece.
    { trickle: bomb, chunk: 512, everyMs: 10 },
  ]);
  await hostile(script, {}, async (c) => {
    const res = await within(c.client.get(c.server.url), 4_000, 'GET');
    assert.equal(res.uncompressed, true);
    let delivered = 0;
    await assert.rejects(
      within(
        (async () => {
          for await (const chunk of res.body) delivered += chunk.length;
        })(),
        8_000,
        'bomb body',
      ),
      code('ERR_BODY_TOO_LARGE', (e) => assert.match(e.message, /maxDecodeRatio/)),
    );
    assert.ok(delivered <= 3 << 20, `at most ~200× the compressed bytes reached the caller: ${delivered}`);
    await until(() => c.transport.stats().totals.active === 0, 2_000, 'the connection to close');
    assert.deepEqual(c.transport.stats().totals.closed, { 'body-too-large': 1 });
    assert.equal(c.transport.stats().totals.idle, 0);
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    assert.equal(c.server.connections, 2, 'the next request went out on a new connection');
  });
});

test('decode: 100,000 empty gzip members concatenated (then one real member) — decoded in bounded time, connection reused', async () => {
  const empty = zlib.gzipSync(Buffer.alloc(0));
  const members = Buffer.concat([...Array<Buffer>(100_000).fill(empty), zlib.gzipSync('end')]);
  const onlyEmpty = Buffer.concat(Array<Buffer>(50_000).fill(empty));
  const script = [
    { read: 'request' } as const,
    { send: whole('gzip', members) },
    { read: 'request' } as const,
    { send: whole('gzip', onlyEmpty) },
  ];
  await hostile(script, {}, async (c) => {
    const started = Date.now();
    const res = await within(c.client.get(c.server.url), 5_000, 'GET');
    assert.equal(res.uncompressed, true);
    assert.equal(await within(res.body.text(), 10_000, 'members body'), 'end');
    const res2 = await within(c.client.get(c.server.url), 5_000, 'GET');
    assert.equal(await within(res2.body.text(), 10_000, 'empty members body'), '');
    const took = Date.now() - started;
    assert.ok(took < 5_000, `150,000 members (${members.length + onlyEmpty.length} bytes) took ${took} ms`);
    assert.equal(c.server.connections, 1);
    assert.deepEqual(c.transport.stats().totals.closed, {});
  });
});

test('decode: a corrupt stream (gzip, deflate, br) whose whole body is on the wire — ERR_DECODE, never a partial body; the connection stays in step', async () => {
  const plain = randomBytes(4096);
  const streams: [string, Buffer][] = [
    ['gzip', zlib.gzipSync(plain)],
    ['deflate', zlib.deflateSync(plain)],
    ['br', zlib.brotliCompressSync(plain)],
  ];
  for (const [enc, good] of streams) {
    const bad = Buffer.from(good);
    // gzip: an invalid deflate block type right after the header; deflate: a wrong zlib header check; br: garbage.
    if (enc === 'gzip') bad[10] = 0x07;
    else if (enc === 'deflate') bad[1] = bad[1]! ^ 0x01;
    else bad.fill(0xff, 0, 16);
    await hostile([{ read: 'request' }, { send: whole(enc, bad) }, { read: 'request' }, { send: OK }], {}, async (c) => {
      const res = await within(c.client.get(c.server.url), 4_000, 'GET');
      await assert.rejects(
        within(res.body.bytes(), 4_000, `${enc} body`),
        code('ERR_DECODE', (e) => assert.match(e.message, new RegExp(`cannot decode ${enc}`))),
      );
      // The framing was intact and fully read: whichever connection serves it, the next
      // request gets its own answer, not leftovers.
      assert.equal(await within((async () => (await c.client.get(c.server.url)).body.text())(), 4_000, 'next GET'), 'ok');
      await until(() => c.transport.stats().totals.active === 0, 2_000, 'nothing left active');
    });
  }
});

test('decode: a corrupt gzip stream detected mid-body while the server stalls — ERR_DECODE, and the connection is discarded, not held', async () => {
  const bad = zlib.gzipSync(randomBytes(200_000));
  bad[10] = 0x07; // invalid block type: detected in the first bytes
  const script = [{ read: 'request' } as const, { send: head('gzip', bad.length) }, { send: bad.subarray(0, 2000) }, { stall: true } as const];
  await hostile(script, {}, async (c) => {
    const res = await within(c.client.get(c.server.url), 4_000, 'GET');
    await assert.rejects(within(res.body.text(), 4_000, 'corrupt body'), code('ERR_DECODE'));
    await res.body.close();
    // 198 KB of the body were never read off the wire: this connection can never be reused.
    await until(() => c.transport.stats().totals.active === 0, 1_000, 'the connection to be discarded after ERR_DECODE');
    const s = c.transport.stats().totals;
    assert.equal(s.idle, 0);
    assert.equal(Object.values(s.closed).reduce((a, b) => a + (b ?? 0), 0), 1, `one close: ${JSON.stringify(s.closed)}`);
  });
});

test('decode: a gzip stream truncated within a complete Content-Length body — ERR_DECODE (unexpected end), never a short body', async () => {
  const full = zlib.gzipSync(randomBytes(50_000));
  const cut = full.subarray(0, full.length - 100);
  await hostile([{ read: 'request' }, { send: whole('gzip', cut) }, { read: 'request' }, { send: OK }], {}, async (c) => {
    const res = await within(c.client.get(c.server.url), 4_000, 'GET');
    await assert.rejects(
      within(res.body.bytes(), 4_000, 'truncated body'),
      code('ERR_DECODE', (e) => assert.match(e.message, /unexpected end/)),
    );
    // Framing intact, body read to its end: the connection is in step.
    assert.equal(await (await c.client.get(c.server.url)).body.text(), 'ok');
    assert.equal(c.server.connections, 1);
  });
});

test('decode: a gzip body cut short by the server closing mid-body — ERR_PROTOCOL (truncated), closed as read-error, never a short body', async () => {
  const full = zlib.gzipSync(randomBytes(50_000));
  const script = [{ read: 'request' } as const, { send: head('gzip', full.length) }, { send: full.subarray(0, 20_000) }, { wait: 50 }, { fin: true } as const];
  await hostile(script, {}, async (c) => {
    const res = await within(c.client.get(c.server.url), 4_000, 'GET');
    await assert.rejects(
      within(res.body.bytes(), 4_000, 'cut body'),
      code('ERR_PROTOCOL', (e) => assert.match(e.message, /truncated response body/)),
    );
    await until(() => c.transport.stats().totals.active === 0, 2_000, 'the connection to close');
    assert.deepEqual(c.transport.stats().totals.closed, { 'read-error': 1 });
  });
});
