// The rest of fetch's Fetch-standard behaviour (src/client/fetch/, src/decode.ts), over real
// loopback sockets: Content-Encoding chains (and where the Client, on Go's rules, decodes
// differently), Subresource Integrity, Resource Timing entries, aborts with polyfilled signals
// and stream bodies, 407, the `window` option and fetch's arity, header-name case on the wire,
// and the input fetch refuses before sending anything. Each case asserts what the server
// received and what the caller got.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as zlib from 'node:zlib';
import { Client, Transport, HttpoolError, ProxyError, fetch, createFetch } from '../src/index.js';
import { httpServer, rawServer, onRequests, until } from './support/servers.js';
import { recordingServer, bytesServer } from './support/recorder.js';
import { fetchSetup, fetchFailed } from './support/fetch.js';
import { within } from './support/within.js';



/** An assert.rejects predicate: the AbortError DOMException fetch makes when a signal gives no reason. */
function abortError(err: unknown): boolean {
  assert.ok(err instanceof DOMException, `expected a DOMException, got ${String(err)}`);
  assert.equal(err.name, 'AbortError');
  assert.equal(err.code, 20); // DOMException.ABORT_ERR
  return true;
}


// =============================================================================================
// Content-Encoding

// Long and repetitive, so every coding really shrinks it (the wire differs from the text).
const TEXT = Array.from({ length: 400 }, (_, i) => `line ${i} of the decoded body`).join('\n');

const encode: Record<string, (b: Buffer) => Buffer> = {
  gzip: (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b),
  br: (b) => zlib.brotliCompressSync(b),
  identity: (b) => b,
};

/** The body as a server sends it for a Content-Encoding list: codings applied in the order listed. */
function encoded(list: string): Buffer {
  let out: Buffer = Buffer.from(TEXT);
  for (const name of list.split(',')) out = encode[name.trim().toLowerCase()]!(out);
  return out;
}

test("Content-Encoding chains: 'GZiP, bR' and 'deflate, gzip' decode and keep the header; 5 codings decode, 6 reject ERR_DECODE", async (t) => {
  // /ce?v=<list> answers TEXT encoded by that list, the list as its Content-Encoding.
  const srv = await recordingServer((req, res) => {
    const list = new URL(req.url!, 'http://x').searchParams.get('v')!;
    const body = encoded(list);
    res.writeHead(200, { 'Content-Encoding': list, 'Content-Length': body.length }).end(body);
  });
  t.after(() => srv.close());
  const { f } = fetchSetup(t);

  for (const list of ['GZiP, bR', 'deflate, gzip', 'identity, identity, identity, identity, identity', 'gzip, gzip, gzip, gzip, gzip']) {
    const res = await f(`${srv.url}/ce?v=${encodeURIComponent(list)}`);
    // Fetch keeps the headers as they came: Content-Encoding is still there after decoding.
    assert.equal(res.headers.get('content-encoding'), list);
    assert.equal(await res.text(), TEXT, list);
  }
  // The wire really carried the chain (not the text): the br-of-gzip body is not gzip alone.
  assert.notDeepEqual(encoded('GZiP, bR'), zlib.gzipSync(TEXT));

  // One coding past the limit: the fetch fails (as Node's fetch refuses it), never a wrong body.
  const six = 'gzip, gzip, gzip, gzip, gzip, gzip';
  await assert.rejects(
    f(`${srv.url}/ce?v=${encodeURIComponent(six)}`),
    fetchFailed('ERR_DECODE', (cause) => assert.match(cause.message, /content-encoding/i)),
  );
  assert.equal(srv.seen.length, 5, 'the sixth request was sent: the response refused it');
});

test('Content-Encoding over two header lines (gzip, then br) is one chain', async (t) => {
  const body = encoded('gzip, br');
  const srv = await rawServer((socket) => {
    onRequests(socket, () => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\nContent-Encoding: br\r\n\r\n`);
      socket.write(body);
    });
  });
  t.after(() => srv.close());
  const { f } = fetchSetup(t);
  const res = await f(srv.url);
  assert.equal(res.headers.get('content-encoding'), 'gzip, br');
  assert.equal(await res.text(), TEXT);
});

test("fetch decodes even when the caller set Accept-Encoding; the Client (Go) then does not, but decodes a chain it asked for itself", async (t) => {
  const gz = zlib.gzipSync(TEXT);
  const chain = encoded('gzip, br');
  const srv = await recordingServer((req, res) => {
    const body = req.url === '/chain' ? chain : gz;
    res.writeHead(200, { 'Content-Encoding': req.url === '/chain' ? 'gzip, br' : 'gzip', 'Content-Length': body.length }).end(body);
  });
  t.after(() => srv.close());
  const { f, client } = fetchSetup(t);

  const res = await f(`${srv.url}/gz`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(await res.text(), TEXT);
  assert.equal(srv.seen[0]!.headers['accept-encoding'], 'gzip', "the caller's own, not replaced");

  // Go decodes only what it asked for: the caller's Accept-Encoding means the caller decodes.
  const own = await client.get(`${srv.url}/gz`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(own.uncompressed, false);
  assert.equal(own.headers.get('content-encoding'), 'gzip');
  assert.deepEqual(Buffer.from(await own.body.bytes()), gz, 'the bytes as sent');
  assert.equal(srv.seen[1]!.headers['accept-encoding'], 'gzip');

  // Asked by httpool itself (the default): the whole chain is undone, and the header goes (Go).
  const asked = await client.get(`${srv.url}/chain`);
  assert.equal(asked.uncompressed, true);
  assert.equal(asked.headers.get('content-encoding'), null);
  assert.equal(await asked.body.text(), TEXT);
  assert.equal(srv.seen[2]!.headers['accept-encoding'], 'gzip, deflate, br');
});

test('fetch with a Range header asks for Accept-Encoding: identity (the Client, Go, asks for none)', async (t) => {
  const srv = await recordingServer((_req, res) => res.writeHead(206, { 'Content-Range': 'bytes 0-3/10' }).end('0123'));
  t.after(() => srv.close());
  const { f, client } = fetchSetup(t);
  const res = await f(srv.url, { headers: { Range: 'bytes=0-3' } });
  assert.equal(res.status, 206);
  assert.equal(await res.text(), '0123');
  const viaClient = await client.get(srv.url, { headers: { Range: 'bytes=0-3' } });
  await viaClient.body.text();
  assert.deepEqual(
    srv.seen.map((s) => [s.headers['range'], s.headers['accept-encoding']]),
    [
      ['bytes=0-3', 'identity'],
      ['bytes=0-3', undefined],
    ],
  );
});

// =============================================================================================
// Subresource Integrity

function digest(alg: 'sha256' | 'sha384' | 'sha512', body: string | Buffer): string {
  return createHash(alg).update(body).digest('base64');
}

test('integrity: sha256/384/512 that match resolve with the body; a mismatch rejects ERR_INTEGRITY and no body reader ever sees a byte', async (t) => {
  const body = 'integrity body ✓';
  const srv = await recordingServer((_req, res) => res.end(body));
  t.after(() => srv.close());
  const { f } = fetchSetup(t);

  for (const alg of ['sha256', 'sha384', 'sha512'] as const) {
    const res = await f(srv.url, { integrity: `${alg}-${digest(alg, body)}` });
    assert.equal(await res.text(), body, alg);
  }

  const wrong = `sha256-${digest('sha256', 'another body')}`;
  let bytesSeen = 0;
  let readerRan = false;
  const p = f(srv.url, { integrity: wrong }).then(async (res) => {
    // Had the fetch resolved, this reader would get the wrong body chunk by chunk.
    readerRan = true;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytesSeen += chunk.length;
  });
  await assert.rejects(p, fetchFailed('ERR_INTEGRITY'));
  assert.equal(readerRan, false);
  assert.equal(bytesSeen, 0);
  assert.equal(srv.seen.length, 4, 'the mismatching request was sent and answered: the body was checked, then refused');
});

test('integrity: the strongest algorithm decides; base64url and unpadded digests match; unknown algorithms alone mean no check; a malformed known one rejects', async (t) => {
  // A body whose sha256 in base64 has '+' or '/' (and so a different base64url spelling), and
  // padding: about three in four bodies do, so a few candidates suffice.
  let body = '';
  for (let i = 0; i < 100 && body === ''; i++) {
    const candidate = `body number ${i}`;
    if (/[+/]/.test(digest('sha256', candidate))) body = candidate;
  }
  assert.notEqual(body, '', 'found a body whose digest spells differently in base64url');
  const srv = await recordingServer((_req, res) => res.end(body));
  t.after(() => srv.close());
  const { f } = fetchSetup(t);
  const good256 = digest('sha256', body);
  const good512 = digest('sha512', body);
  const bad256 = digest('sha256', 'not the body');
  const bad512 = digest('sha512', 'not the body');

  // SRI §3.3.4: only the strongest listed algorithm is checked.
  await assert.rejects(f(srv.url, { integrity: `sha256-${good256} sha512-${bad512}` }), fetchFailed('ERR_INTEGRITY'));
  assert.equal(await (await f(srv.url, { integrity: `sha256-${bad256} sha512-${good512}` })).text(), body);
  // One of several of the strongest matching is enough.
  assert.equal(await (await f(srv.url, { integrity: `sha512-${bad512} sha512-${good512}` })).text(), body);

  // Spelling: base64url alphabet and no '=' padding are the same digest.
  const url64 = good256.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  assert.notEqual(url64, good256);
  assert.equal(await (await f(srv.url, { integrity: `sha256-${url64}` })).text(), body);
  assert.equal(await (await f(srv.url, { integrity: `sha256-${good256.replace(/=+$/, '')}` })).text(), body);
  // Options after '?' are ignored.
  assert.equal(await (await f(srv.url, { integrity: `sha256-${good256}?opt=1` })).text(), body);

  // Nothing usable listed: SRI says the body matches.
  assert.equal(await (await f(srv.url, { integrity: 'md5-xxx' })).text(), body);
  // A known algorithm with a value that can never match fails closed, not open.
  await assert.rejects(f(srv.url, { integrity: 'sha256-ä' }), fetchFailed('ERR_INTEGRITY'));
  assert.equal(srv.seen.length, 8);
});

// =============================================================================================
// Resource Timing

/** The fields read here (@types/node 20's PerformanceResourceTiming lacks some of them). */
interface ResourceEntry {
  name: string;
  initiatorType: string;
  startTime: number;
  redirectStart: number;
  redirectEnd: number;
  fetchStart: number;
  connectStart: number;
  requestStart: number;
  responseStart: number;
  responseEnd: number;
  encodedBodySize: number;
  decodedBodySize: number;
}

function resourceEntries(name: string): ResourceEntry[] {
  return (performance.getEntriesByType('resource') as unknown as ResourceEntry[]).filter((e) => e.name === name);
}

test('Resource Timing: a read body adds one entry named by the requested URL, times in order, sizes of the wire and the text; a redirect has redirect times; an unread body adds none', async (t) => {
  performance.clearResourceTimings();
  t.after(() => performance.clearResourceTimings());
  const gz = zlib.gzipSync(TEXT);
  const srv = await httpServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/gz') res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': gz.length }).end(gz);
    else if (path === '/redirect') res.writeHead(302, { Location: '/plain' }).end();
    else res.end('plain body');
  });
  t.after(() => srv.close());
  const { f } = fetchSetup(t);

  const res = await f(`${srv.url}/gz?q=1#fragment`);
  assert.equal(resourceEntries(`${srv.url}/gz?q=1`).length, 0, 'no entry before the body is read');
  assert.equal(await res.text(), TEXT);
  const [e, ...more] = resourceEntries(`${srv.url}/gz?q=1`);
  assert.ok(e !== undefined, 'an entry named without the fragment');
  assert.equal(more.length, 0);
  assert.equal(e.initiatorType, 'fetch');
  assert.ok(e.responseEnd >= e.responseStart, `responseEnd ${e.responseEnd} >= responseStart ${e.responseStart}`);
  assert.ok(e.responseStart >= e.requestStart, `responseStart ${e.responseStart} >= requestStart ${e.requestStart}`);
  assert.ok(e.requestStart >= e.connectStart, `requestStart ${e.requestStart} >= connectStart ${e.connectStart}`);
  assert.ok(e.connectStart >= e.fetchStart, `connectStart ${e.connectStart} >= fetchStart ${e.fetchStart}`);
  assert.ok(e.fetchStart >= e.startTime, `fetchStart ${e.fetchStart} >= startTime ${e.startTime}`);
  assert.ok(e.startTime > 0);
  assert.equal(e.redirectStart, 0, 'not redirected');
  assert.equal(e.encodedBodySize, gz.length, 'the bytes on the wire');
  assert.equal(e.decodedBodySize, TEXT.length, 'the text (ASCII: one byte per character)');
  assert.ok(e.encodedBodySize < e.decodedBodySize);

  const redirected = await f(`${srv.url}/redirect`);
  assert.equal(redirected.redirected, true);
  assert.equal(await redirected.text(), 'plain body');
  const [r] = resourceEntries(`${srv.url}/redirect`);
  assert.ok(r !== undefined, 'named by the URL asked for, not the last hop');
  assert.equal(resourceEntries(`${srv.url}/plain`).length, 0);
  assert.ok(r.redirectStart > 0, `redirectStart ${r.redirectStart}`);
  assert.ok(r.redirectEnd >= r.redirectStart, `redirectEnd ${r.redirectEnd} >= redirectStart ${r.redirectStart}`);
  assert.ok(r.fetchStart >= r.redirectEnd, `fetchStart ${r.fetchStart} >= redirectEnd ${r.redirectEnd}`);
  assert.equal(r.decodedBodySize, 'plain body'.length);

  // Never read: no entry, though its bytes have long arrived (the read fetch after it is the
  // control: it does get one, on its own connection, after the first body was sent).
  const unread = await f(`${srv.url}/unread`);
  assert.equal(unread.status, 200);
  assert.equal(await (await f(`${srv.url}/control`)).text(), 'plain body');
  assert.equal(resourceEntries(`${srv.url}/control`).length, 1);
  assert.equal(resourceEntries(`${srv.url}/unread`).length, 0);
  await unread.body?.cancel();
  assert.equal(resourceEntries(`${srv.url}/unread`).length, 0, 'a cancelled body adds none either');
});

// =============================================================================================
// Aborts

/** An AbortController polyfill as old libraries ship it: an EventTarget signal with `aborted` and no `reason`. */
class PolyfillSignal extends EventTarget {
  aborted = false;
  onabort: ((ev: Event) => void) | null = null;
}
class PolyfillController {
  readonly signal = new PolyfillSignal();
  abort(): void {
    if (this.signal.aborted) return;
    this.signal.aborted = true;
    const ev = new Event('abort');
    this.signal.onabort?.(ev);
    this.signal.dispatchEvent(ev);
  }
}

test('a signal without `reason` (polyfill): pre-aborted or aborted mid-request, fetch rejects with an AbortError DOMException (code 20)', async (t) => {
  let requests = 0;
  const srv = await rawServer((socket) => onRequests(socket, () => requests++)); // never answers
  t.after(() => srv.close());
  const { f } = fetchSetup(t);

  // A minimal signal-like object, already aborted, with no reason property at all.
  const minimal = Object.assign(new EventTarget(), { aborted: true });
  assert.ok(!('reason' in minimal));
  await assert.rejects(f(`${srv.url}/pre`, { signal: minimal as unknown as AbortSignal }), abortError);
  assert.equal(srv.connections, 0, 'nothing sent');

  const ac = new PolyfillController();
  const p = f(`${srv.url}/during`, { signal: ac.signal as unknown as AbortSignal });
  await until(() => requests === 1, 2_000, 'the server to get the request');
  ac.abort();
  await assert.rejects(within(p, 3_000, 'the aborted fetch'), abortError);
  // The exchange was really stopped: its connection is closed, not left waiting for an answer.
  await until(() => srv.open === 0, 2_000, 'the aborted connection to close');
});

test("a ReadableStream body's cancel(reason) runs with the AbortError: aborted before the fetch, and while the body is being sent", async (t) => {
  const srv = await bytesServer(); // reads everything, answers nothing
  t.after(() => srv.close());
  const { f } = fetchSetup(t);

  // Pre-aborted: refused before anything is sent, and the body is told why.
  const pre = new AbortController();
  pre.abort();
  let preReason: unknown = 'not cancelled';
  const preBody = new ReadableStream<Uint8Array>({
    pull(c) {
      c.enqueue(Buffer.from('never sent'));
    },
    cancel(reason) {
      preReason = reason;
    },
  });
  await assert.rejects(f(srv.url, { method: 'POST', body: preBody, duplex: 'half', signal: pre.signal } as RequestInit), (err: unknown) => err === pre.signal.reason);
  await until(() => preReason !== 'not cancelled', 2_000, 'the pre-aborted body to be cancelled');
  assert.equal(preReason, pre.signal.reason);
  assert.ok(abortError(preReason));
  assert.equal(srv.connections, 0);

  // Mid-send: the stream hands out one chunk, then pulls slowly (a pull that waits until
  // cancelled), so the abort comes while the body is going out.
  const ac = new AbortController();
  let midReason: unknown = 'not cancelled';
  let wake: (() => void) | null = null;
  let pulls = 0;
  const midBody = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (pulls++ === 0) return void c.enqueue(Buffer.from('first-part'));
        return new Promise<void>((resolve) => (wake = resolve));
      },
      cancel(reason) {
        midReason = reason;
        wake?.();
      },
    },
    { highWaterMark: 0 },
  );
  const p = f(`${srv.url}/upload`, { method: 'POST', body: midBody, duplex: 'half', signal: ac.signal } as RequestInit);
  await until(() => (srv.received[0]?.includes('first-part') ?? false), 2_000, 'the first chunk to reach the server');
  assert.ok(srv.received[0]!.toString('latin1').startsWith('POST /upload HTTP/1.1\r\n'));
  ac.abort();
  await assert.rejects(within(p, 3_000, 'the aborted upload'), (err: unknown) => err === ac.signal.reason);
  await until(() => midReason !== 'not cancelled', 2_000, 'the body being sent to be cancelled');
  assert.equal(midReason, ac.signal.reason);
  assert.ok(abortError(midReason));
  assert.ok(!srv.received[0]!.includes('0\r\n\r\n'), 'the chunked body was never finished');
});

// =============================================================================================
// 407, window, arity

test('a 407 from the server rejects ERR_PROXY, and its connection is not left busy', async (t) => {
  const srv = await recordingServer((req, res) => {
    if (req.url === '/407') res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="p"' }).end('proxy auth needed');
    else res.end('ok');
  });
  t.after(() => srv.close());
  const { f, transport } = fetchSetup(t);
  await assert.rejects(
    f(`${srv.url}/407`),
    fetchFailed('ERR_PROXY', (cause) => {
      assert.ok(cause instanceof ProxyError);
      assert.equal(cause.statusCode, 407);
    }),
  );
  // The 407 body is drained and its connection goes back to the pool, idle, and is used again.
  await until(() => transport.stats().totals.active === 0 && transport.stats().totals.idle === 1, 2_000, 'the 407 connection to be idle');
  assert.equal(await (await f(`${srv.url}/after`)).text(), 'ok');
  assert.equal(srv.connections, 1);
  assert.deepEqual(
    srv.seen.map((s) => s.url),
    ['/407', '/after'],
  );
});

test('window: {} is a TypeError and sends nothing; window: null is fine; fetch.length and createFetch(client).length are 1', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { f, client } = fetchSetup(t);
  await assert.rejects(f(srv.url, { window: {} } as unknown as RequestInit), TypeError);
  assert.equal(srv.connections, 0);
  assert.equal(await (await f(srv.url, { window: null })).text(), 'ok');
  assert.equal(srv.seen.length, 1);

  assert.equal(fetch.length, 1);
  assert.equal(createFetch(client).length, 1);
  assert.equal(globalThis.fetch.length, 1, 'the shape being copied');
});

// =============================================================================================
// Header names on the wire

test('header names: a record or [name, value] pairs go out exactly as spelled, a Headers object in canonical form; values trimmed', async (t) => {
  const heads: string[][] = [];
  const srv = await rawServer((socket) => {
    onRequests(socket, (head) => {
      heads.push(head.split('\r\n').slice(1));
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
  });
  t.after(() => srv.close());
  const { f } = fetchSetup(t);

  await (await f(srv.url, { headers: { 'X-CuStOm': ' \tpadded  value\t ', 'x-lower-case': 'l' } })).text();
  await (
    await f(srv.url, {
      headers: [
        ['X-CuStOm', '  pair '],
        ['x-MiXeD-cAsE', 'm'],
      ],
    })
  ).text();
  await (await f(srv.url, { headers: new Headers({ 'content-type': 'text/x-mine', 'X-CuStOm': '  from headers  ', 'x-multi-part-name': 'v' }) })).text();

  /** The lines of one head whose name is (case-insensitively) one of `names`, as written. */
  const linesFor = (head: string[], ...names: string[]) =>
    head.filter((line) => names.includes(line.slice(0, line.indexOf(':')).toLowerCase()));

  assert.deepEqual(linesFor(heads[0]!, 'x-custom', 'x-lower-case'), ['X-CuStOm: padded  value', 'x-lower-case: l']);
  assert.deepEqual(linesFor(heads[1]!, 'x-custom', 'x-mixed-case'), ['X-CuStOm: pair', 'x-MiXeD-cAsE: m']);
  // A Headers object hands out lower-case names only: they go out as Go spells every name.
  assert.deepEqual(linesFor(heads[2]!, 'content-type', 'x-custom', 'x-multi-part-name').sort(), [
    'Content-Type: text/x-mine',
    'X-Custom: from headers',
    'X-Multi-Part-Name: v',
  ]);
});

// =============================================================================================
// Refused input

test('a URL with credentials, and a ReadableStream body without duplex, throw TypeError with nothing sent', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { f } = fetchSetup(t);
  await assert.rejects(f(`http://u:p@127.0.0.1:${srv.port}/`), (err: unknown) => {
    assert.ok(err instanceof TypeError);
    assert.match(err.message, /credentials/);
    assert.ok(!err.message.includes(':p@'), 'the password is not repeated in the message');
    return true;
  });
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(Buffer.from('x'));
      c.close();
    },
  });
  await assert.rejects(f(srv.url, { method: 'POST', body }), (err: unknown) => {
    assert.ok(err instanceof TypeError);
    assert.match(err.message, /duplex/);
    return true;
  });
  assert.equal(srv.connections, 0);
  assert.equal(srv.seen.length, 0);
  // The same requests, made valid, do go out: the refusals above were about the input.
  await (await f(`${srv.url}/`)).text();
  await (await f(srv.url, { method: 'POST', body: new ReadableStream({ start: (c) => (c.enqueue(Buffer.from('x')), c.close()) }), duplex: 'half' } as RequestInit)).text();
  assert.deepEqual(
    srv.seen.map((s) => [s.method, s.body.toString()]),
    [
      ['GET', ''],
      ['POST', 'x'],
    ],
  );
});
