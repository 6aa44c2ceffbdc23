// The hostile HTTP/2 server catalogue: servers that break RFC 9113 on purpose (floods, bombs,
// overflowing windows, frames on streams that do not exist), each against a Transport over
// prior-knowledge h2c on loopback (test/support/hostile-h2.ts). What the client must do, for
// httpool's own HTTP/2 engine (issue 17): end the request with a stable code, never hang, and
// keep memory bounded.
// - A connection error (§5.4.1): ERR_PROTOCOL, a GOAWAY with the RFC's error code (read by the
//   server where it reads), the session closed as 'protocol-error'.
// - A stream error (§5.4.2): that request alone fails; the same session serves the next one.
// Each case is bounded (within(), a test timeout, flood sizes), stops its server and closes its
// Transport, and then checks nothing is left open (assertReleased).

import assert from 'node:assert/strict';
import * as net from 'node:net';
import { test } from 'node:test';
import { Client, HttpoolError, Transport, type TransportOptions } from '../src/index.js';
import { Flag, FrameType, H2Code, h2CodeName, Setting } from '../src/h2/frames/index.js';
import { FrameBuffer } from '../src/h2/frames/writer.js';
import { encodeInteger } from '../src/h2/hpack/index.js';
import { warmUp } from './support/catalogue.js';
import { assertReleased, resources } from './support/clean.js';
import { code } from './support/clients.js';
import { frame, hostileH2, u32, type H2Peer, type HostileH2Options, type HostileH2Server } from './support/hostile-h2.js';
import { until } from './support/servers.js';
import { within } from './support/within.js';

const T = { timeout: 20_000 };
const { HEADERS, DATA, RST_STREAM, SETTINGS, PING, PUSH_PROMISE, CONTINUATION, WINDOW_UPDATE } = FrameType;
const { END_STREAM, END_HEADERS } = Flag;

/** HPACK: ":status: 200" from the static table (RFC 7541 Appendix A, index 8). */
const STATUS_200 = 0x88;

/** HPACK literal field without indexing, new name, raw octets (RFC 7541 §6.2.2). */
function literal(name: string, value: string, indexing = false): Buffer {
  const out = Buffer.alloc(name.length + value.length + 16);
  let p = encodeInteger(out, 0, 0, indexing ? 6 : 4, indexing ? 0x40 : 0x00);
  p = encodeInteger(out, p, name.length, 7, 0);
  p += out.write(name, p, 'latin1');
  p = encodeInteger(out, p, value.length, 7, 0);
  p += out.write(value, p, 'latin1');
  return out.subarray(0, p);
}

interface Case {
  srv: HostileH2Server;
  transport: Transport;
  client: Client;
  url: string;
  /** The first connection, once the client has made it. */
  peer(): Promise<H2Peer>;
}

/**
 * One catalogue case: a hostile server scripted by `onConn`, a Transport speaking h2c to it,
 * the case, then both closed and the process checked for leftovers.
 */
async function h2case(
  onConn: (peer: H2Peer) => void | Promise<void>,
  opts: { server?: HostileH2Options; transport?: TransportOptions },
  fn: (c: Case) => Promise<void>,
): Promise<void> {
  await warmUp();
  const before = resources();
  const srv = await hostileH2(onConn, opts.server);
  const transport = new Transport({ unencryptedHTTP2: true, proxy: null, ...opts.transport });
  const client = new Client({ transport });
  const peer = async (): Promise<H2Peer> => {
    await until(() => srv.peers.length > 0, 3000, 'the client to connect');
    return srv.peers[0]!;
  };
  try {
    await fn({ srv, transport, client, url: srv.url, peer });
  } finally {
    await transport.close();
    await srv.close();
  }
  await assertReleased(before);
}

/** GET and read the whole body: the exchange, bounded. */
function get(c: Case, path = '/', opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<string> {
  return within(c.client.get(`${c.url}${path}`, opts).then((r) => r.body.text()), 5000, `GET ${path}`);
}

/** What the server saw of the client, for failure messages: its GOAWAY, resets, whether it closed. */
function saw(peer: H2Peer | undefined): string {
  if (peer === undefined) return 'no connection';
  const rst = peer.seen.flatMap((f) => (f.t === 'rst' ? [`${f.sid}:${h2CodeName(f.code)}`] : []));
  const g = peer.goaway === null ? 'none' : `${h2CodeName(peer.goaway.code)} "${peer.goaway.debug}"`;
  return `GOAWAY ${g}; RST_STREAM [${rst.join(', ')}]; socket ${peer.closed ? 'closed' : 'open'}`;
}

/** `call` rejects with `errCode`; on failure the message says what the server saw. */
async function rejects(c: Case, call: Promise<unknown>, errCode: string): Promise<void> {
  try {
    await assert.rejects(call, code(errCode));
  } catch (e) {
    throw new Error(`${(e as Error).message}; server saw: ${saw(c.srv.peers[0])}`, { cause: e });
  }
}

/**
 * A connection error (RFC 9113 §5.4.1): the request fails ERR_PROTOCOL, the client sends GOAWAY
 * with `h2Code` (the server reads it, unless `lenient`: a server that stopped reading may see
 * the socket close instead), and the session is closed as 'protocol-error', nothing left open.
 */
async function connectionError(c: Case, call: Promise<unknown>, h2Code: number, lenient = false): Promise<void> {
  await rejects(c, call, 'ERR_PROTOCOL');
  const peer = await c.peer();
  if (lenient) peer.resumeReading();
  const g = await peer.goawayOrClose(3000);
  if (g !== null || !lenient) {
    assert.ok(g !== null, `the client sent GOAWAY (closed: ${peer.closed})`);
    assert.equal(h2CodeName(g.code), h2CodeName(h2Code), `GOAWAY error code (debug data "${g.debug}")`);
  }
  assert.equal(peer.readError, null, 'the client sent well-formed HTTP/2');
  await until(() => c.transport.stats().totals.closed['protocol-error'] === 1, 2000, 'the session closed as protocol-error');
  const s = c.transport.stats().totals;
  assert.deepEqual(s.closed, { 'protocol-error': 1 }, 'close reasons');
  assert.equal(s.active + s.idle, 0, 'no session left');
}

/** A stream error (§5.4.2) was answered with RST_STREAM `h2Code` on `sid`, and the session serves the next request. */
async function streamErrorThenServes(c: Case, sid: number, h2Code: number | null, path = '/next'): Promise<void> {
  const peer = await c.peer();
  if (h2Code !== null) {
    await peer.until(() => peer.seen.some((f) => f.t === 'rst' && f.sid === sid), 2000);
    const rst = peer.seen.find((f) => f.t === 'rst' && f.sid === sid);
    assert.ok(rst?.t === 'rst', `the client reset stream ${sid}`);
    assert.equal(h2CodeName(rst.code), h2CodeName(h2Code), 'RST_STREAM error code');
  }
  assert.equal(await get(c, path).catch((e: Error) => assert.fail(`${e.message}; server saw: ${saw(peer)}`)), 'next');
  const s = c.transport.stats().totals;
  assert.equal(s.opened, 1, 'one session for both requests');
  assert.deepEqual(s.closed, {}, 'the session was not closed');
  assert.equal(peer.goaway, null, 'no GOAWAY');
  assert.equal(peer.readError, null, 'the client sent well-formed HTTP/2');
}

/** Answers every request after the first with "next", on its own stream. */
async function answerLater(peer: H2Peer, from = 2, to = 8): Promise<void> {
  for (let n = from; n <= to; n++) {
    const sid = await peer.request(n, 10_000).catch(() => 0);
    if (sid === 0) return;
    peer.respond(sid, [':status', '200'], 'next');
  }
}

/** A dial that keeps the client's socket, and samples how many octets it queued unwritten (writableLength). */
function watchedDial() {
  let socket: net.Socket | null = null;
  let maxQueued = 0;
  const timer = setInterval(() => {
    if (socket !== null) maxQueued = Math.max(maxQueued, socket.writableLength);
  }, 2);
  return {
    dial: ({ hostname, port }: { hostname: string; port: number }) => (socket = net.connect(port, hostname)),
    /** Stops sampling; the most the client's socket held unwritten. */
    stop: (): number => {
      clearInterval(timer);
      return maxQueued;
    },
  };
}

// ---------------------------------------------------------------- 1. CONTINUATION flood

for (const empty of [false, true]) {
  const what = empty ? 'empty CONTINUATIONs (CVE-2019-9516 0-length headers)' : '1 KiB CONTINUATIONs';
  test(`CONTINUATION flood (CVE-2024-27316): HEADERS without END_HEADERS, then ${what} without end: ERR_PROTOCOL, GOAWAY ENHANCE_YOUR_CALM`, T, () =>
    h2case(
      async (peer) => {
        const sid = await peer.request();
        peer.send(frame(HEADERS, 0, sid, Buffer.from([STATUS_200])));
        // Each CONTINUATION a whole field (or nothing); 100k of them is 100 MiB: "endless" for the
        // client, bounded here (sendMany waits for drain, and stops when the client closes).
        const cont = frame(CONTINUATION, 0, sid, empty ? Buffer.alloc(0) : literal('x-f', 'a'.repeat(1000)));
        await peer.sendMany(100_000, () => cont);
      },
      {},
      (c) => connectionError(c, get(c), H2Code.ENHANCE_YOUR_CALM),
    ),
  );
}

// ---------------------------------------------------------------- 2. header-list bomb

test('header-list bomb: 1 MiB of fields across CONTINUATIONs against maxResponseHeaderBytes 16 KiB: ERR_HEADERS_TOO_LARGE for that stream; the session serves the next request (§10.5.1)', T, () =>
  h2case(
    async (peer) => {
      const sid = await peer.request();
      const fields: Buffer[] = [Buffer.from([STATUS_200])];
      for (let i = 0; i < 64; i++) fields.push(literal(`x-bomb-${i}`, 'b'.repeat(16_000)));
      // HEADERS + 64 CONTINUATIONs of 16 KiB (the client's SETTINGS_MAX_FRAME_SIZE), END_STREAM.
      // Past FrameReader's default bounds (32 CONTINUATIONs, 80 KiB: a connection error
      // ENHANCE_YOUR_CALM), so the engine must size them for the default maxResponseHeaderBytes
      // (1 MiB, which a legitimate response may fill) and decode the excess without keeping it.
      peer.send(new FrameBuffer(1 << 20).headers(sid, Buffer.concat(fields), true).take());
      await answerLater(peer);
    },
    { transport: { maxResponseHeaderBytes: 16 * 1024 } },
    async (c) => {
      await rejects(c, get(c), 'ERR_HEADERS_TOO_LARGE');
      // The stream ended with the server's END_STREAM: no RST_STREAM is owed.
      await streamErrorThenServes(c, 1, null);
    },
  ),
);

test('HPACK amplification: one 4 KiB dynamic-table entry referenced 4,000 times in an 8 KiB block (16 MB decoded): ERR_HEADERS_TOO_LARGE for that stream; the table stays in step and the session serves the next request', T, () => {
  const value = 'v'.repeat(4096 - 32 - 'x-amp'.length); // an entry of exactly 4096 octets (RFC 7541 §4.1)
  return h2case(
    async (peer) => {
      const sid = await peer.request();
      // Literal with incremental indexing (§6.2.1) puts it at dynamic index 62, then index 62 (0xbe) again and again (§6.1).
      const block = Buffer.concat([Buffer.from([STATUS_200]), literal('x-amp', value, true), Buffer.alloc(4000, 0xbe)]);
      peer.send(new FrameBuffer(16 * 1024).headers(sid, block, true).take());
      // The next response refers to the entry once: right only if the client decoded the whole bomb block.
      const next = await peer.request(2, 10_000);
      peer.send(new FrameBuffer(16 * 1024).headers(next, Buffer.from([STATUS_200, 0xbe]), false).data(next, Buffer.from('next'), true).take());
    },
    { transport: { maxResponseHeaderBytes: 16 * 1024 } },
    async (c) => {
      await rejects(c, get(c), 'ERR_HEADERS_TOO_LARGE');
      const res = await within(c.client.get(`${c.url}/next`), 5000, 'GET /next');
      assert.equal(res.headers.get('x-amp'), value, 'the dynamic table entry from the bomb block');
      assert.equal(await res.body.text(), 'next');
      const s = c.transport.stats().totals;
      assert.equal(s.opened, 1, 'one session for both requests');
      assert.deepEqual(s.closed, {});
      assert.equal((await c.peer()).goaway, null, 'no GOAWAY');
    },
  );
});

// ---------------------------------------------------------------- 3. HPACK table bomb

test('HPACK table bomb: a dynamic table size update to 1 GiB, above the client\'s SETTINGS_HEADER_TABLE_SIZE 4096: ERR_PROTOCOL, GOAWAY COMPRESSION_ERROR (RFC 7541 §6.3, RFC 9113 §4.3)', T, () =>
  h2case(
    async (peer) => {
      const sid = await peer.request();
      const update = Buffer.alloc(8);
      const n = encodeInteger(update, 0, 1 << 30, 5, 0x20);
      peer.send(frame(HEADERS, END_HEADERS | END_STREAM, sid, Buffer.concat([update.subarray(0, n), Buffer.from([STATUS_200])])));
    },
    {},
    (c) => connectionError(c, get(c), H2Code.COMPRESSION_ERROR),
  ),
);

// ---------------------------------------------------------------- 4, 5. SETTINGS and PING floods

const FLOODS = [
  { name: 'SETTINGS', cve: 'CVE-2019-9515', make: () => frame(SETTINGS, 0, 0), acks: (p: H2Peer) => p.count.settingsAck },
  { name: 'PING', cve: 'CVE-2019-9512', make: (i: number) => frame(PING, 0, 0, Buffer.from([0, 0, 0, 0, ...u32(i)])), acks: (p: H2Peer) => p.count.pingAck },
] as const;

for (const f of FLOODS) {
  // 1M frames, not 200k: loopback's kernel buffers took about 4 MB of small writes from a client
  // whose peer never read (Linux, tcp_wmem max 4 MiB), more than 200k ACKs (1.8 MB SETTINGS, 3.4 MB
  // PING); past them the ACKs can only queue in the client's own memory, which is what is bounded.
  test(`${f.name} flood (${f.cve}): 1M ${f.name} frames to a client whose server never reads: ERR_PROTOCOL (ENHANCE_YOUR_CALM), the ACKs it queued bounded`, T, async () => {
    const watch = watchedDial();
    let sent = 0;
    let maxQueued = -1;
    try {
      await h2case(
        async (peer) => {
          await peer.request();
          peer.stopReading();
          sent = await peer.sendMany(1_000_000, f.make, 3000);
        },
        { transport: { dial: watch.dial } },
        async (c) => {
          const call = get(c);
          await rejects(c, call, 'ERR_PROTOCOL');
          maxQueued = watch.stop();
          // CVE-2019-9517's lesson: the ACKs a non-reading peer provokes pile up in the client's
          // write buffers (sampled every 2 ms as its socket's writableLength): 1M ACKs are 9 MB
          // (SETTINGS) or 17 MB (PING).
          assert.ok(maxQueued <= 256 * 1024, `the client's socket held ${maxQueued} octets of unwritten ACKs`);
          await connectionError(c, call, H2Code.ENHANCE_YOUR_CALM, true);
        },
      );
    } finally {
      watch.stop();
    }
    assert.ok(sent > 0, 'the flood started');
  });

  test(`${f.name} flood, moderate: 10k ${f.name} frames to a client whose server reads: each answered, and the request still succeeds`, T, () =>
    h2case(
      async (peer) => {
        const sid = await peer.request();
        const before = f.acks(peer);
        await peer.sendMany(10_000, f.make);
        await peer.until(() => f.acks(peer) >= before + 10_000, 5000);
        peer.respond(sid, [':status', '200'], 'ok');
      },
      {},
      async (c) => {
        assert.equal(await get(c), 'ok');
        const peer = await c.peer();
        assert.ok(f.acks(peer) >= 10_000, `${f.acks(peer)} ACKs`);
        assert.equal(peer.goaway, null);
        assert.deepEqual(c.transport.stats().totals.closed, {});
      },
    ),
  );
}

// ---------------------------------------------------------------- 6. WINDOW_UPDATE overflow

test('WINDOW_UPDATE overflow on stream 0: 65,535 + 2^31-1 is past 2^31-1: ERR_PROTOCOL, GOAWAY FLOW_CONTROL_ERROR (§6.9.1)', T, () =>
  h2case(
    async (peer) => {
      await peer.request();
      peer.send(frame(WINDOW_UPDATE, 0, 0, u32(0x7fff_ffff)));
    },
    {},
    (c) => connectionError(c, get(c), H2Code.FLOW_CONTROL_ERROR),
  ),
);

test('WINDOW_UPDATE overflow on a stream: a stream error FLOW_CONTROL_ERROR (§6.9.1): that request fails ERR_PROTOCOL, the session serves the next', T, () => {
  // An upload still in progress, so the stream is open and its send window in use: a client
  // done sending (half-closed local) could argue the window no longer matters.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  async function* body(): AsyncGenerator<Uint8Array> {
    yield new TextEncoder().encode('first chunk');
    await held;
  }
  return h2case(
    async (peer) => {
      const sid = await peer.request();
      peer.send(frame(WINDOW_UPDATE, 0, sid, u32(0x7fff_ffff)));
      await answerLater(peer);
    },
    {},
    async (c) => {
      try {
        const call = c.client.post(`${c.url}/upload`, 'text/plain', body()).then((r) => r.body.text());
        await rejects(c, within(call, 5000, 'the upload'), 'ERR_PROTOCOL');
        await streamErrorThenServes(c, 1, H2Code.FLOW_CONTROL_ERROR);
      } finally {
        release();
      }
    },
  );
});

// ---------------------------------------------------------------- 7. a window that never opens

test('a zero window that never opens (SETTINGS_INITIAL_WINDOW_SIZE 0), 1 MiB streamed upload: ERR_TIMEOUT at the call\'s 500 ms, no DATA sent, the body pulled only a little (CVE-2019-9517)', T, () => {
  let pulled = 0;
  async function* body(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < 64; i++) {
      pulled += 16 * 1024;
      yield new Uint8Array(16 * 1024);
    }
  }
  return h2case(
    async (peer) => {
      // A first exchange, so the client has our SETTINGS before the upload starts (§6.9.2).
      peer.respond(await peer.request(), [':status', '200'], 'warm');
      await peer.request(2, 10_000);
    },
    { server: { settings: [Setting.INITIAL_WINDOW_SIZE, 0] } },
    async (c) => {
      assert.equal(await get(c, '/warm'), 'warm');
      const start = performance.now();
      const call = c.client.post(`${c.url}/upload`, 'application/octet-stream', body(), { timeout: 500 }).then((r) => r.body.text());
      await rejects(c, within(call, 5000, 'the upload'), 'ERR_TIMEOUT');
      const took = performance.now() - start;
      assert.ok(took >= 450 && took < 2000, `failed after ${took.toFixed(0)} ms`);
      const peer = await c.peer();
      assert.equal(peer.dataBytes, 0, 'no DATA beyond a window of 0');
      assert.ok(pulled <= 128 * 1024, `the client pulled ${pulled} octets of a body it could not send`);
    },
  );
});

// ---------------------------------------------------------------- 8. RST_STREAM floods

test('RST_STREAM flood on idle streams (never opened): ERR_PROTOCOL, GOAWAY PROTOCOL_ERROR (§5.1, §6.4)', T, () =>
  h2case(
    async (peer) => {
      const sid = await peer.request();
      await peer.sendMany(5000, (i) => frame(RST_STREAM, 0, sid + 2 * (i + 1), u32(H2Code.CANCEL)));
    },
    {},
    (c) => connectionError(c, get(c), H2Code.PROTOCOL_ERROR),
  ),
);

test('RST_STREAM flood on a stream the client reset (CVE-2023-44487\'s shape, server to client): 10k on it while another request waits: ERR_PROTOCOL, GOAWAY ENHANCE_YOUR_CALM', T, () =>
  h2case(
    async (peer) => {
      const first = await peer.request();
      peer.send(new FrameBuffer(1024).headers(first, peer.block([':status', '200']), false).data(first, Buffer.alloc(1000), false).take());
      await peer.request(2, 10_000);
      await peer.sendMany(10_000, () => frame(RST_STREAM, 0, first, u32(H2Code.CANCEL)));
    },
    {},
    async (c) => {
      // An abort, not body.close(): a client may drain a small remainder instead of resetting.
      const ac = new AbortController();
      const res = await within(c.client.get(`${c.url}/reset-me`, { signal: ac.signal }), 5000, 'the first response head');
      ac.abort();
      await res.body.text().catch(() => {});
      const peer = await c.peer();
      assert.ok(await peer.until(() => peer.count.rst >= 1, 3000), 'the client reset the first stream');
      await connectionError(c, get(c, '/waits'), H2Code.ENHANCE_YOUR_CALM);
    },
  ),
);

// ---------------------------------------------------------------- 9. frames on idle and closed streams

for (const kind of ['DATA', 'HEADERS'] as const) {
  test(`${kind} on an idle stream (an odd id the client never opened): ERR_PROTOCOL, GOAWAY PROTOCOL_ERROR (§5.1, §5.1.1)`, T, () =>
    h2case(
      async (peer) => {
        const sid = await peer.request();
        peer.send(kind === 'DATA' ? frame(DATA, END_STREAM, sid + 4, Buffer.from('x')) : frame(HEADERS, END_HEADERS | END_STREAM, sid + 4, Buffer.from([STATUS_200])));
      },
      {},
      (c) => connectionError(c, get(c), H2Code.PROTOCOL_ERROR),
    ),
  );
}

test('DATA on a stream long closed (both END_STREAMs seen, three requests ago): ERR_PROTOCOL, GOAWAY STREAM_CLOSED (§5.1 closed, §6.1)', T, () =>
  h2case(
    async (peer) => {
      for (let n = 1; n <= 3; n++) peer.respond(await peer.request(n, 10_000), [':status', '200'], `r${n}`);
      const first = await peer.request(1);
      await peer.request(4, 10_000);
      peer.send(frame(DATA, 0, first, Buffer.from('late')));
    },
    {},
    async (c) => {
      for (let n = 1; n <= 3; n++) assert.equal(await get(c, `/${n}`), `r${n}`);
      await connectionError(c, get(c, '/4'), H2Code.STREAM_CLOSED);
    },
  ),
);

// ---------------------------------------------------------------- 10. oversize frame

test('a frame over the client\'s SETTINGS_MAX_FRAME_SIZE (a 16,385-octet HEADERS): ERR_PROTOCOL, GOAWAY FRAME_SIZE_ERROR (§4.2)', T, () =>
  h2case(
    async (peer) => {
      const sid = await peer.request();
      // 0x88, then a literal of 1 + 1 + 5 (name) + 3 (length) + 16,374 (value) octets.
      const lit = literal('x-big', 'a'.repeat(16_374));
      const block = Buffer.concat([Buffer.from([STATUS_200]), lit]);
      assert.equal(block.length, 16_385);
      peer.send(frame(HEADERS, END_HEADERS | END_STREAM, sid, block));
    },
    {},
    (c) => connectionError(c, get(c), H2Code.FRAME_SIZE_ERROR),
  ),
);

// ---------------------------------------------------------------- 11. the server's preface

test('a server that never sends SETTINGS (accepts, reads, says nothing): the request fails ERR_PROTOCOL or ERR_TIMEOUT within about http2PingTimeout (300 ms), never a hang (§3.4)', T, () =>
  h2case(
    () => {},
    { server: { handshake: false }, transport: { http2PingTimeout: 300 } },
    async (c) => {
      const start = performance.now();
      await assert.rejects(within(c.client.get(c.url).then((r) => r.body.text()), 2000, 'the request'), (e: unknown) => {
        assert.ok(e instanceof HttpoolError, `expected an HttpoolError, got ${String(e)}`);
        assert.ok(e.code === 'ERR_PROTOCOL' || e.code === 'ERR_TIMEOUT', `code ${e.code}: ${e.message}`);
        return true;
      });
      const took = performance.now() - start;
      assert.ok(took < 1500, `failed after ${took.toFixed(0)} ms`);
      await until(() => c.transport.stats().totals.active === 0, 2000, 'the session to go');
      assert.equal(c.transport.stats().totals.idle, 0, 'the session is not kept');
    },
  ),
);

test('a server whose first frame is not SETTINGS (a PING): ERR_PROTOCOL, GOAWAY PROTOCOL_ERROR (§3.4)', T, () =>
  h2case(
    (peer) => {
      peer.autoAck = true;
      peer.send(frame(PING, 0, 0, Buffer.alloc(8)), new FrameBuffer(64).settings([]).take());
    },
    { server: { handshake: false } },
    (c) => connectionError(c, get(c), H2Code.PROTOCOL_ERROR),
  ),
);

// ---------------------------------------------------------------- 12. server-initiated streams

test('HEADERS on an even (server-initiated) stream id with push disabled: ERR_PROTOCOL, GOAWAY PROTOCOL_ERROR (§5.1.1, §8.4)', T, () =>
  h2case(
    async (peer) => {
      await peer.request();
      peer.send(frame(HEADERS, END_HEADERS | END_STREAM, 2, Buffer.from([STATUS_200])));
    },
    {},
    (c) => connectionError(c, get(c), H2Code.PROTOCOL_ERROR),
  ),
);

test('PUSH_PROMISE despite SETTINGS_ENABLE_PUSH 0: ERR_PROTOCOL, GOAWAY PROTOCOL_ERROR (§6.6, §8.4)', T, () =>
  h2case(
    async (peer) => {
      const sid = await peer.request();
      // Promised stream 2; :method GET, :scheme http, :path / (static 2, 6, 4).
      peer.send(frame(PUSH_PROMISE, END_HEADERS, sid, Buffer.concat([u32(2), Buffer.from([0x82, 0x86, 0x84])])));
    },
    {},
    (c) => connectionError(c, get(c), H2Code.PROTOCOL_ERROR),
  ),
);
