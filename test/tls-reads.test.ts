// HTTP/1.1 over TLS read through onread (src/transport/dial.ts: TLS makes its own connection
// so that Node hands decrypted bytes to the connection's chosen buffers): the shared buffer,
// a large body's own buffers, a body read straight into its final buffer, and backpressure,
// against a node:tls server that writes small TLS records on purpose.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import * as tls from 'node:tls';
import { test } from 'node:test';
import { Request, Transport } from '../src/index.js';
import { certificates, havePeer } from './support/peers.js';

interface TlsServer {
  url: string;
  connections: number;
  close(): Promise<void>;
}

/** Answers each request head with `answer(n)` (n counts requests on the connection), written in pieces of `piece` bytes. */
async function tlsServer(answer: (n: number) => Buffer, piece: number): Promise<TlsServer> {
  const c = certificates();
  const sockets = new Set<tls.TLSSocket>();
  const state = { connections: 0 };
  const srv = tls.createServer({ key: readFileSync(c.serverKey), cert: readFileSync(c.serverCert) }, (s) => {
    state.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    let seen = '';
    let n = 0;
    s.on('data', async (d: Buffer) => {
      seen += d.toString('latin1');
      while (seen.includes('\r\n\r\n')) {
        seen = seen.slice(seen.indexOf('\r\n\r\n') + 4);
        const out = answer(n++);
        for (let i = 0; i < out.length; i += piece) {
          // Each write is its own TLS record; waiting between them makes each its own read.
          if (!s.write(out.subarray(i, i + piece))) await once(s, 'drain');
          if (piece < out.length) await new Promise((r) => setImmediate(r));
        }
      }
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address() as { port: number };
  return {
    url: `https://localhost:${addr.port}`,
    get connections() {
      return state.connections;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => srv.close(r));
    },
  };
}

function response(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
}

function transportFor(t: { after(fn: () => unknown): void }): Transport {
  const tr = new Transport({ tls: { ca: certificates().ca }, proxy: null, forceAttemptHTTP2: false, maxConnsPerHost: 1 });
  t.after(() => tr.close());
  return tr;
}

test('over TLS, small responses one after another on one connection keep their own bytes', async (t) => {
  if (!havePeer(t, 'openssl')) return;
  const bodies = Array.from({ length: 30 }, (_, i) => Buffer.from(`body-${i}-`.repeat(20 + i)));
  const srv = await tlsServer((n) => response(bodies[n]!), 1 << 20);
  t.after(() => srv.close());
  const tr = transportFor(t);
  const held: Uint8Array[] = [];
  for (let i = 0; i < bodies.length; i++) {
    const res = await tr.roundTrip(new Request('GET', `${srv.url}/${i}`));
    held.push(await res.body.bytes());
  }
  // Held across later reads: a view into the shared buffer would have been overwritten.
  for (let i = 0; i < bodies.length; i++) assert.ok(Buffer.from(held[i]!).equals(bodies[i]!), `body ${i}`);
  assert.equal(srv.connections, 1);
});

test('over TLS, a large body in small records keeps every chunk; bytes() of one reads into its final buffer; the connection goes on', async (t) => {
  if (!havePeer(t, 'openssl')) return;
  const big = [randomBytes(300 * 1024), randomBytes(700 * 1024), Buffer.from('after')];
  const srv = await tlsServer((n) => response(big[n]!), 3000);
  t.after(() => srv.close());
  const tr = transportFor(t);
  const res1 = await tr.roundTrip(new Request('GET', `${srv.url}/a`));
  const kept: Uint8Array[] = [];
  for await (const chunk of res1.body) kept.push(chunk);
  assert.ok(kept.length > 10, `arrived in pieces (${kept.length})`);
  assert.ok(Buffer.concat(kept).equals(big[0]!), 'every chunk kept its own bytes');
  const res2 = await tr.roundTrip(new Request('GET', `${srv.url}/b`));
  assert.ok(Buffer.from(await res2.body.bytes()).equals(big[1]!));
  const res3 = await tr.roundTrip(new Request('GET', `${srv.url}/c`));
  assert.equal(await res3.body.text(), 'after');
  assert.equal(srv.connections, 1);
});

test('over TLS, a large body read slowly pauses the socket and loses nothing', async (t) => {
  if (!havePeer(t, 'openssl')) return;
  const big = randomBytes(3 * 1024 * 1024);
  const srv = await tlsServer(() => response(big), 64 * 1024);
  t.after(() => srv.close());
  const tr = transportFor(t);
  const res = await tr.roundTrip(new Request('GET', srv.url));
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of res.body) {
    parts.push(chunk);
    if (n++ % 8 === 0) await new Promise((r) => setTimeout(r, 5)); // slower than the server
  }
  assert.ok(Buffer.concat(parts).equals(big));
  assert.equal(tr.stats().totals.idle, 1, 'kept for reuse');
});
