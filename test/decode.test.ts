// Transparent decompression and its limits: a decompression bomb stops with ERR_BODY_TOO_LARGE
// and the connection closes; a truncated stream is an error, never a short body.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { Client, Transport, type HttpoolError } from '../src/index.js';
import { rawServer, onRequests, until } from './support/servers.js';

function gzipServer(body: Buffer, opts: { slow?: boolean; truncate?: boolean } = {}) {
  return rawServer((socket) =>
    onRequests(socket, () => {
      const wire = opts.truncate ? body.subarray(0, Math.floor(body.length / 2)) : body;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${wire.length}\r\n\r\n`);
      if (!opts.slow) {
        socket.write(wire);
        return;
      }
      // Piece by piece, so the limit trips while the response is still arriving.
      let pos = 0;
      const step = (): void => {
        if (socket.destroyed || pos >= wire.length) return;
        socket.write(wire.subarray(pos, pos + 4096));
        pos += 4096;
        setTimeout(step, 5);
      };
      step();
    }),
  );
}

test('a gzip bomb past maxDecodedBytes fails with ERR_BODY_TOO_LARGE and closes the connection mid-body', async (t) => {
  const bomb = zlib.gzipSync(Buffer.alloc(64 << 20)); // 64 MiB of zeros, ~64 KiB on the wire
  const srv = await gzipServer(bomb, { slow: true });
  t.after(() => srv.close());
  const transport = new Transport({ maxDecodedBytes: 1 << 20 });
  t.after(() => transport.close());
  const client = new Client({ transport });
  const res = await client.get(srv.url);
  await assert.rejects(res.body.bytes(), (err: HttpoolError) => {
    assert.equal(err.code, 'ERR_BODY_TOO_LARGE');
    assert.match(err.message, /^GET http:\/\/127\.0\.0\.1:\d+\/: decoded body exceeds maxDecodedBytes/);
    return true;
  });
  await until(() => transport.stats().totals.closed['body-too-large'] === 1, 2_000, 'the connection to close');
});

test('the default ratio limit stops a bomb that would decode to 1000× its size', async (t) => {
  const bomb = zlib.gzipSync(Buffer.alloc(32 << 20));
  assert.ok(bomb.length * 500 < 32 << 20, 'the test body really is a bomb');
  const srv = await gzipServer(bomb);
  t.after(() => srv.close());
  const transport = new Transport();
  t.after(() => transport.close());
  const res = await new Client({ transport }).get(srv.url);
  await assert.rejects(res.body.bytes(), (err: HttpoolError) => err.code === 'ERR_BODY_TOO_LARGE' && /maxDecodeRatio/.test(err.message));
});

test('an ordinary compressible body within the limits decodes whole', async (t) => {
  // Rows like a real API's: varied values compress a few times over, not hundreds.
  const rows = Array.from({ length: 40_000 }, (_, i) => `{"id":${i},"name":"row-${(i * 2654435761) % 1000003}","ok":${i % 3 === 0}}`);
  const text = Buffer.from(`[${rows.join(',')}]`);
  const srv = await gzipServer(zlib.gzipSync(text));
  t.after(() => srv.close());
  const transport = new Transport();
  t.after(() => transport.close());
  const res = await new Client({ transport }).get(srv.url);
  assert.equal(res.uncompressed, true);
  assert.deepEqual(Buffer.from(await res.body.bytes()), text);
});

test('a truncated gzip stream is ERR_DECODE, never a short body', async (t) => {
  const srv = await gzipServer(zlib.gzipSync(Buffer.alloc(100_000, 'q')), { truncate: true });
  t.after(() => srv.close());
  const transport = new Transport();
  t.after(() => transport.close());
  const res = await new Client({ transport }).get(srv.url);
  await assert.rejects(res.body.text(), (err: HttpoolError) => err.code === 'ERR_DECODE');
});

test('maxDecodedBytes and maxDecodeRatio are validated options', () => {
  assert.throws(() => new Transport({ maxDecodedBytes: -1 }), (err: HttpoolError) => err.code === 'ERR_INVALID_OPTION');
  assert.equal(new Transport().options.maxDecodeRatio, 200);
});
