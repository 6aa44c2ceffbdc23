// The frame layer (src/h2/frames) against real HTTP/2 servers over h2c with prior knowledge
// (RFC 9113 §3.3): nghttpd (nghttp2) and Node's http2 server. A raw socket carries frames
// from the writer; the reader parses what the servers send. No HPACK library: the request
// field block is hand-encoded from static-table indexes (RFC 7541 Appendix A), and a
// response's `:status: 200` is recognised as its static index (0x88).

import test from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { FrameBuffer, FrameReader, H2Code, H2FrameError, Setting } from '../src/h2/frames/index.js';
import { havePeer, nghttpd } from './support/peers.js';
import { Recorder, type FrameEvent } from './support/h2-frames.js';

const BIG = 1 << 20;
/** A response field long enough that its block (Huffman: 5 bits an 'a') spans HEADERS + CONTINUATIONs at 16 KiB. */
const LONG = 60_000;
const WINDOW = 0x7fffffff;

/** GET `path` for `authority`: :method GET (0x82), :scheme http (0x86), then :path and :authority as literals without indexing (names 4 and 1). */
function getBlock(path: string, authority: string): Buffer {
  const lit = (nameIndex: number, value: string) => {
    const v = Buffer.from(value, 'latin1');
    assert.ok(v.length < 127, 'one-octet length, no Huffman');
    return Buffer.concat([Buffer.of(nameIndex, v.length), v]);
  };
  return Buffer.concat([Buffer.of(0x82, 0x86), lit(0x04, path), lit(0x01, authority)]);
}

/** A raw h2c client conversation: our frames out, the server's frames in, a wait for a condition. */
class Conversation {
  readonly rec = new Recorder();
  readonly reader: FrameReader;
  readonly socket: net.Socket;
  readonly out = new FrameBuffer();
  error: unknown = null;
  closed = false;
  #wake: (() => void) | null = null;

  constructor(port: number) {
    const rec = this.rec;
    // Our SETTINGS ACK for each server SETTINGS (§6.5.3), written as the frame is read.
    const onSettings = rec.onSettings.bind(rec);
    rec.onSettings = (params) => {
      onSettings(params);
      this.socket.write(this.out.settingsAck().take());
    };
    this.reader = new FrameReader(rec, { serverPreface: true });
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.reader.feed(chunk);
      } catch (err) {
        this.error = err;
        this.socket.destroy();
      }
      this.#wake?.();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.#wake?.();
    });
    this.socket.on('error', (err) => {
      this.error ??= err;
    });
  }

  get events(): FrameEvent[] {
    return this.rec.events;
  }

  send(): void {
    this.socket.write(this.out.take());
  }

  /** Waits until `done()` holds, the connection fails, or 5 s pass. */
  async until(what: string, done: () => boolean): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!done()) {
      if (this.error !== null) throw this.error;
      if (this.closed) assert.fail(`connection closed waiting for ${what}: ${JSON.stringify(this.events.map((e) => e.t))}`);
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  streamDone(sid: number): boolean {
    return this.events.some((e) => (e.t === 'data' || e.t === 'headers') && e.sid === sid && e.end);
  }

  body(sid: number): number {
    let n = 0;
    for (const e of this.events) if (e.t === 'data' && e.sid === sid) n += e.data.length / 2;
    return n;
  }
}

/** Runs the conversation; the socket is gone when it returns or throws (a server's close waits for it). */
async function converse(port: number, server: string): Promise<void> {
  const c = new Conversation(port);
  try {
    await steps(c, port, server);
  } finally {
    c.socket.destroy();
  }
}

async function steps(c: Conversation, port: number, server: string): Promise<void> {
  const authority = `127.0.0.1:${port}`;
  // Preface, SETTINGS (no push, large windows), connection window, three streams at once.
  c.out.preface().settings([Setting.ENABLE_PUSH, 0, Setting.INITIAL_WINDOW_SIZE, WINDOW]).windowUpdate(0, WINDOW - 65535);
  c.out.headers(1, getBlock('/hello', authority), true);
  c.out.headers(3, getBlock('/big', authority), true);
  c.out.headers(5, getBlock('/hello', authority), true);
  c.send();

  await c.until('server SETTINGS', () => c.events.some((e) => e.t === 'settings'));
  await c.until('SETTINGS ACK', () => c.events.some((e) => e.t === 'settingsAck'));
  await c.until('three responses', () => [1, 3, 5].every((sid) => c.streamDone(sid)));
  for (const sid of [1, 3, 5]) {
    const heads = c.events.filter((e) => e.t === 'headers' && e.sid === sid);
    assert.equal(heads.length, 1, `${server}: one HEADERS on stream ${sid}`);
    assert.equal((heads[0] as { block: string }).block.slice(0, 2), '88', `${server}: :status 200 (static index 8) first on stream ${sid}`);
  }
  assert.equal(c.body(1), 5, `${server}: /hello body`);
  assert.equal(c.body(5), 5);
  assert.equal(c.body(3), BIG, `${server}: /big body`);
  const hello = c.events.find((e) => e.t === 'data' && e.sid === 1 && e.data.length > 0) as { data: string };
  assert.equal(Buffer.from(hello.data, 'hex').toString(), 'hello');

  // PING: the ACK echoes our 8 octets (§6.7).
  const payload = Buffer.from('httpool!');
  c.out.ping(payload, false);
  c.send();
  await c.until('PING ACK', () => c.events.some((e) => e.t === 'ping' && e.ack));
  assert.deepEqual(c.events.filter((e) => e.t === 'ping'), [{ t: 'ping', data: payload.toString('hex'), ack: true }], server);

  // GOAWAY: with no streams open the server closes the connection.
  c.out.goAway(0, H2Code.NO_ERROR);
  c.send();
  await c.until('the connection to close', () => c.closed);
  assert.equal(c.error, null, `${server}: ${(c.error as H2FrameError | null)?.message}`);
  assert.ok(c.reader.idle, `${server}: closed between frames`);
}

test('interop: nghttpd over h2c: SETTINGS both ways, 3 concurrent streams (one of 1 MiB), PING, GOAWAY', async (t) => {
  if (!havePeer(t, 'nghttpd')) return;
  const peer = await nghttpd({ tls: false });
  t.after(() => peer.stop());
  await converse(peer.port, 'nghttpd');
});

test("interop: Node's http2 server over h2c: SETTINGS both ways, 3 concurrent streams (one of 1 MiB), PING, GOAWAY; a field block in HEADERS + CONTINUATIONs", async (t) => {
  const big = Buffer.alloc(BIG, 0x62);
  const server = http2.createServer((req, res) => {
    if (req.url === '/long') res.setHeader('x-long', 'a'.repeat(LONG));
    res.end(req.url === '/big' ? big : 'hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as net.AddressInfo).port;
  await converse(port, 'node http2');

  // A response field block over one frame: nghttp2 sends HEADERS + CONTINUATION, read as one block.
  const c = new Conversation(port);
  try {
    c.out.preface().settings([Setting.ENABLE_PUSH, 0]).headers(1, getBlock('/long', `127.0.0.1:${port}`), true);
    c.send();
    await c.until('the /long response', () => c.streamDone(1));
    const heads = c.events.filter((e) => e.t === 'headers');
    assert.equal(heads.length, 1);
    const block = (heads[0] as { block: string }).block;
    assert.equal(block.slice(0, 2), '88');
    assert.ok(block.length / 2 > 16384 * 2, `a block of ${block.length / 2} octets, over two frames`);
  } finally {
    c.socket.destroy();
  }
});
