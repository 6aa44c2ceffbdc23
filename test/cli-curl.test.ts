// `httpool get` beside curl: ten everyday curl command lines run through /usr/bin/curl and through
// the built httpool CLI against the same loopback server, which records what each sent. The two
// must send equivalent requests (method, target, the headers that carry meaning, body bytes;
// User-Agent, Accept and Accept-Encoding differ on purpose, multipart boundaries by chance) and,
// for -w, print well-formed times in curl's order. Then the exit statuses of the failures
// scripts branch on: refused (7), DNS (6), timeout (28), TLS verification (curl's own code).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CERT, TEST_KEY } from '../src/testing/test-cert.js';
import { runCli, runProgram, type CliRun } from './support/cli.js';
import { certificates, dante, havePeer, nginx, tinyproxy, tlsFront } from './support/peers.js';
import { closedPort, rawServer } from './support/servers.js';

const T = { timeout: 20_000 };
const CURL = '/usr/bin/curl';

/** The environment both clients run in: no proxy from the machine's settings, no curlrc (-q). */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(https?|all|no)_proxy$/i.test(k) && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  }
  return env;
}

function curl(args: string[], ms = 10_000): Promise<CliRun> {
  return runProgram(CURL, ['-q', ...args], cleanEnv(), ms);
}

async function httpool(args: string[], ms = 10_000): Promise<CliRun> {
  // runCli starts from process.env: drop the proxy variables there for the child.
  const env = cleanEnv();
  for (const k of Object.keys(process.env)) if (!(k in env)) env[k] = '';
  return runCli(['get', ...args], { env, ms });
}

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

interface Recorder {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** A server that records each request and answers 200 "ok" with a header -i/-I can show. */
async function recorder(t: TestContext, kind: 'http' | 'https' | { socket: string }): Promise<Recorder> {
  const seen: Seen[] = [];
  const handler: http.RequestListener = (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts) });
      res.setHeader('X-Served-By', 'recorder');
      res.setHeader('Content-Type', 'text/plain');
      res.end('ok\n');
    });
  };
  const server = kind === 'https' ? https.createServer({ cert: TEST_CERT, key: TEST_KEY }, handler) : http.createServer(handler);
  await new Promise<void>((r) => (typeof kind === 'object' ? server.listen(kind.socket, r) : server.listen(0, '127.0.0.1', r)));
  const url = typeof kind === 'object' ? 'http://localhost' : `${kind}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  t.after(close);
  return { url, seen, close };
}

/** Headers that differ between clients by design, not by meaning. */
const IGNORED = new Set(['user-agent', 'accept', 'accept-encoding', 'connection', 'proxy-connection', 'keep-alive', 'expect']);

/** What must match: a multipart body compared part by part (its boundary is random). */
async function comparable(s: Seen): Promise<unknown> {
  const headers: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.headers)) if (!IGNORED.has(k)) headers[k] = v;
  const type = String(s.headers['content-type'] ?? '');
  if (!type.startsWith('multipart/form-data')) return { method: s.method, url: s.url, headers, body: s.body.toString('base64') };
  headers['content-type'] = 'multipart/form-data';
  delete headers['content-length']; // the boundaries differ in length
  const form = await new Response(s.body, { headers: { 'content-type': type } }).formData();
  const parts: unknown[] = [];
  for (const [name, value] of form) {
    parts.push(typeof value === 'string' ? [name, value] : [name, value.name, value.type, Buffer.from(await value.arrayBuffer()).toString()]);
  }
  return { method: s.method, url: s.url, headers, parts };
}

/** Runs both, each against a fresh recording, and asserts the server saw the same request. */
async function sameRequest(srv: Recorder, curlArgs: string[], httpoolArgs: string[] = curlArgs): Promise<{ c: CliRun; h: CliRun; seen: Seen }> {
  const c = await curl(curlArgs);
  assert.equal(c.code, 0, `curl ${curlArgs.join(' ')}: ${c.stderr}`);
  assert.equal(srv.seen.length, 1, 'curl sent one request');
  const byCurl = srv.seen.pop()!;
  const h = await httpool(httpoolArgs);
  assert.equal(h.code, 0, `httpool get ${httpoolArgs.join(' ')}: ${h.stderr}`);
  assert.equal(srv.seen.length, 1, 'httpool sent one request');
  const byHttpool = srv.seen.pop()!;
  assert.deepEqual(await comparable(byHttpool), await comparable(byCurl), `httpool get ${httpoolArgs.join(' ')}`);
  return { c, h, seen: byHttpool };
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'httpool-curl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('1. GET with headers (and -G with data as the query)', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const srv = await recorder(t, 'http');
  const { c, h, seen } = await sameRequest(srv, ['-H', 'X-Trace-Id: abc 123', '-H', 'Accept-Language: fr', `${srv.url}/items?page=2&q=a%20b`]);
  assert.equal(seen.headers['x-trace-id'], 'abc 123');
  assert.deepEqual(h.stdout, c.stdout, 'the same body on stdout');
  // -G: the data as the query of a GET.
  const query = await sameRequest(srv, ['-G', '-d', 'q=lamp', '--data-urlencode', 'near=a b', `${srv.url}/search?page=1`]);
  assert.equal(query.seen.url, '/search?page=1&q=lamp&near=a+b');
  // 'Name;' sends an empty field, 'Name:' none (one given before with a value still goes).
  const empty = await sameRequest(srv, ['-H', 'X-Empty;', '-H', 'X-Kept: 1', '-H', 'X-Kept:', '-H', 'X-Gone:', srv.url]);
  assert.equal(empty.seen.headers['x-empty'], '');
  assert.equal(empty.seen.headers['x-kept'], '1');
  assert.equal(empty.seen.headers['x-gone'], undefined);
});

test('2. POST JSON from a file: -d @file -H Content-Type (newlines dropped, as curl does); --data-binary keeps every byte', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const srv = await recorder(t, 'http');
  const dir = await tempDir(t);
  const json = join(dir, 'item.json');
  await writeFile(json, '{\r\n  "name": "lamp",\n  "price": 12\n}\n');
  const { seen } = await sameRequest(srv, ['-d', `@${json}`, '-H', 'Content-Type: application/json', `${srv.url}/items`]);
  assert.equal(seen.method, 'POST');
  assert.equal(seen.body.toString(), '{  "name": "lamp",  "price": 12}');
  assert.equal(seen.headers['content-type'], 'application/json');

  const bin = join(dir, 'blob.bin');
  await writeFile(bin, Buffer.from([0, 1, 0x0d, 0x0a, 0xff, 0x26, 0x3d]));
  const raw = await sameRequest(srv, ['--data-binary', `@${bin}`, `${srv.url}/raw`]);
  assert.deepEqual(raw.seen.body, Buffer.from([0, 1, 0x0d, 0x0a, 0xff, 0x26, 0x3d]));
  assert.equal(raw.seen.headers['content-type'], 'application/x-www-form-urlencoded');
});

test('3. multipart upload: -F fields, a file, a file with ;type=', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const srv = await recorder(t, 'http');
  const dir = await tempDir(t);
  const notes = join(dir, 'notes.txt');
  const data = join(dir, 'data.bin');
  await writeFile(notes, 'first line\nsecond line\n');
  await writeFile(data, 'not really binary');
  const { seen } = await sameRequest(srv, ['-F', 'title=holiday', '-F', `notes=@${notes}`, '-F', `data=@${data};type=application/x-demo`, `${srv.url}/upload`]);
  assert.equal(seen.method, 'POST');
  assert.match(String(seen.headers['content-type']), /^multipart\/form-data; boundary=/);
});

test('4. basic auth: -u user:password', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const srv = await recorder(t, 'http');
  const { seen } = await sameRequest(srv, ['-u', 'alice:s3cr:et', `${srv.url}/private`]);
  assert.equal(seen.headers.authorization, `Basic ${Buffer.from('alice:s3cr:et').toString('base64')}`);
});

test('5. insecure TLS: -k against a self-signed loopback server', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const srv = await recorder(t, 'https');
  const { c, h } = await sameRequest(srv, ['-k', `${srv.url}/secure`]);
  assert.deepEqual(h.stdout, c.stdout);
});

test('6. custom CA: --cacert FILE trusts the server', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const srv = await recorder(t, 'https');
  const ca = join(await tempDir(t), 'ca.pem');
  await writeFile(ca, TEST_CERT);
  await sameRequest(srv, ['--cacert', ca, `${srv.url}/trusted`]);
});

test('7. proxy: -x (and -U) sends the absolute-form request to the proxy', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  // The recorder plays the forward proxy: what it receives is what each client sent the proxy.
  const proxy = await recorder(t, 'http');
  const { seen } = await sameRequest(proxy, ['-x', proxy.url, '-U', 'pat:pr0xy', '-H', 'X-Via-Test: 1', 'http://origin.invalid:8080/through?x=1']);
  assert.equal(seen.url, 'http://origin.invalid:8080/through?x=1');
  assert.equal(seen.headers['proxy-authorization'], `Basic ${Buffer.from('pat:pr0xy').toString('base64')}`);
  assert.equal(seen.headers.host, 'origin.invalid:8080');
});

test('8. Unix socket: --unix-socket PATH', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const socket = join(await tempDir(t), 'api.sock');
  const srv = await recorder(t, { socket });
  const { seen } = await sameRequest(srv, ['--unix-socket', socket, 'http://localhost/v1.43/containers/json?all=1']);
  assert.equal(seen.headers.host, 'localhost');
});

test('9. HEAD with the head shown: curl -I, httpool get -I (and -i with -X HEAD)', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const srv = await recorder(t, 'http');
  const { c, h, seen } = await sameRequest(srv, ['-I', `${srv.url}/head`]);
  assert.equal(seen.method, 'HEAD');
  for (const run of [c, h]) {
    const text = run.stdout.toString();
    assert.match(text, /^HTTP\/1\.1 200 OK\r?\n/);
    assert.match(text, /^X-Served-By: recorder\r?$/im);
    assert.doesNotMatch(text, /^ok$/m, 'no body');
  }
  const viaX = await httpool(['-i', '-X', 'HEAD', `${srv.url}/head`]);
  assert.equal(viaX.code, 0, viaX.stderr);
  assert.equal(srv.seen.pop()?.method, 'HEAD');
  assert.match(viaX.stdout.toString(), /^HTTP\/1\.1 200 OK\n/);
});

test('10. -w timings: both print well-formed numbers in curl\'s order', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const srv = await recorder(t, 'https');
  const vars = ['time_namelookup', 'time_connect', 'time_appconnect', 'time_pretransfer', 'time_starttransfer', 'time_total'];
  const format = `%{http_code} %{size_download} %{num_redirects} ${vars.map((v) => `%{${v}}`).join(' ')}\\n`;
  const { c, h } = await sameRequest(srv, ['-k', '-s', '-o', '/dev/null', '-w', format, `${srv.url}/timed`]);
  for (const [who, run] of [['curl', c], ['httpool', h]] as const) {
    const out = run.stdout.toString();
    assert.match(out, /^200 3 0( \d+\.\d{6}){6}\n$/, `${who} printed ${JSON.stringify(out)}`);
    const times = out.trim().split(' ').slice(3).map(Number);
    for (let i = 1; i < times.length; i++) assert.ok(times[i - 1]! <= times[i]!, `${who}: ${vars[i - 1]} ≤ ${vars[i]} in ${out}`);
    // Over TLS each phase takes some time: connect and the handshake finish after the start.
    assert.ok(times[1]! > 0 && times[2]! > times[1]!, `${who}: connect then TLS in ${out}`);
  }
  const json = await httpool(['-k', '-o', '/dev/null', '--json', `${srv.url}/timed`]);
  assert.equal(json.code, 0, json.stderr);
  const obj = JSON.parse(json.stdout.toString()) as Record<string, unknown>;
  assert.equal(obj['http_code'], 200);
  assert.equal(obj['reused'], false);
  assert.equal(obj['conn_id'], 1);
  for (const v of vars) assert.equal(typeof obj[v], 'number', v);
});

/** Both fail the same way: the same exit status, and curl's is the one expected. */
async function sameExit(curlArgs: string[], expected: number | null, httpoolArgs: string[] = curlArgs): Promise<number> {
  const c = await curl(curlArgs);
  const h = await httpool(httpoolArgs);
  if (expected !== null) assert.equal(c.code, expected, `curl's own code: ${c.stderr}`);
  assert.equal(h.code, c.code, `httpool exits as curl does (${c.code}): ${h.stderr}`);
  assert.equal(h.stdout.length, 0, 'nothing on stdout');
  return h.code!;
}

test('exit status: connection refused is 7, as curl', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  await sameExit([`http://127.0.0.1:${await closedPort()}/`], 7);
});

test('exit status: a name that never resolves (.invalid) is 6, fast, as curl', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const started = performance.now();
  await sameExit(['http://no-such-host.invalid/'], 6);
  assert.ok(performance.now() - started < 8_000, 'no long DNS wait offline');
});

test('exit status: -m 0.5 against a server that never answers is 28, as curl', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const silent = await rawServer(() => {}); // accepts, never answers
  t.after(() => silent.close());
  const started = performance.now();
  await sameExit(['-m', '0.5', silent.url], 28);
  assert.ok(performance.now() - started < 5_000, 'the limit ended both');
});

test('exit status: a self-signed server without -k is a verification failure, curl\'s own code (60)', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const srv = await recorder(t, 'https');
  await sameExit([`${srv.url}/`], 60);
  assert.equal(srv.seen.length, 0, 'no request got through');
});

test('against nginx: --http2, --http1.1, --cert/--key, and through socks5, socks5h and https:// proxies, the same answers as curl', { timeout: 30_000 }, async (t) => {
  if (!havePeer(t, 'curl', 'nginx', 'nginx-stream', 'danted', 'tinyproxy', 'openssl')) return;
  const c = certificates();
  const dir = await tempDir(t);
  const [ca, cert, key] = [join(dir, 'ca.pem'), join(dir, 'client.pem'), join(dir, 'client.key')];
  await writeFile(ca, c.ca);
  await writeFile(cert, c.clientCert);
  await writeFile(key, c.clientKey);
  const ng = await nginx();
  t.after(() => ng.stop());
  const socks = await dante();
  t.after(() => socks.stop());
  const tiny = await tinyproxy();
  t.after(() => tiny.stop());
  const front = await tlsFront(tiny.port);
  t.after(() => front.stop());

  const https = `https://localhost:${ng.https}`;
  const cases: [string, string[], string][] = [
    ['--http2', ['--http2', '--cacert', ca, `${https}/proto`], 'HTTP/2.0'],
    ['--http1.1', ['--http1.1', '--cacert', ca, `${https}/proto`], 'HTTP/1.1'],
    ['--cert --key', ['--cacert', ca, '--cert', cert, '--key', key, `https://localhost:${ng.mtls}/client`], 'CN=httpool-client'],
    ['socks5', ['-x', socks.url, `http://127.0.0.1:${ng.http}/hello`], 'hello'],
    ['socks5h', ['-x', `socks5h://127.0.0.1:${socks.port}`, '--cacert', ca, `${https}/echo-host`], 'localhost'],
    ['https proxy', ['-x', `https://localhost:${front.port}`, '--proxy-cacert', ca, '--cacert', ca, `${https}/hello`], 'hello'],
  ];
  for (const [what, args, expected] of cases) {
    const byCurl = await curl(['-sS', ...args]);
    assert.equal(byCurl.code, 0, `curl ${what}: ${byCurl.stderr}`);
    // httpool's --cacert trusts the CA for the proxy's certificate too (one TLS identity per Transport).
    const ours = args.filter((a, i) => a !== '--proxy-cacert' && args[i - 1] !== '--proxy-cacert');
    const byHttpool = await httpool(ours);
    assert.equal(byHttpool.code, 0, `httpool ${what}: ${byHttpool.stderr}`);
    assert.equal(byHttpool.stdout.toString(), expected, what);
    assert.equal(byHttpool.stdout.toString(), byCurl.stdout.toString(), `${what}: the same body as curl`);
  }
  // A client certificate the server requires, missing: both fail (nginx answers 400).
  const noCert = await httpool(['-f', '-s', '--cacert', ca, `https://localhost:${ng.mtls}/client`]);
  assert.equal(noCert.code, 22);
});

test('exit status: a proxy refusing CONNECT is 56, a proxy that does not speak SOCKS5 is 97, as curl', T, async (t) => {
  if (!havePeer(t, 'curl')) return;
  const refusing = http.createServer((_req, res) => res.end());
  refusing.on('connect', (_req, socket: Socket) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
  await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => refusing.close(() => r())));
  const port = (refusing.address() as AddressInfo).port;
  await sameExit(['-x', `http://127.0.0.1:${port}`, 'https://origin.invalid/'], 56);
  // An HTTP server where a SOCKS5 proxy should be: its answer to the greeting is not SOCKS.
  await sameExit(['-x', `socks5h://127.0.0.1:${port}`, 'http://origin.invalid/'], 97);
});
