// `httpool get`'s curl flags beyond the ten everyday command lines of cli-curl.test.ts: -o and
// its progress bar, -i with -L, -w and --json (on success and failure), -s/-S, the body flags'
// order and encodings, -X, and the exit statuses the command decides itself (files it cannot
// read or write, a malformed URL, a proxy that does not resolve, too many redirects).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get as getCommand } from '../cli/commands/get.js';
import { parseGetArgs } from '../cli/get/options.js';
import { transportOptions } from '../cli/get/transport.js';
import { recordingServer } from './support/recorder.js';
import { closedPort, rawServer } from './support/servers.js';
import { runCli, ttyIo, type CliRun } from './support/cli.js';

const T = { timeout: 20_000 };

const cli = (args: string[]): Promise<CliRun> => runCli(['get', ...args]);

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'httpool-flags-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** /r/N redirects N more times, then answers "done"; anything else answers its path. */
async function chainServer(t: TestContext): Promise<Awaited<ReturnType<typeof recordingServer>>> {
  const srv = await recordingServer((req, res) => {
    const m = /^\/r\/(\d+)$/.exec(req.url ?? '');
    if (m !== null && Number(m[1]) > 0) {
      res.writeHead(302, { Location: `/r/${Number(m[1]) - 1}` });
      res.end();
      return;
    }
    res.setHeader('X-Tag', 'final');
    res.end(m !== null ? 'done' : `path ${req.url}`);
  });
  t.after(() => srv.close());
  return srv;
}

test('-o FILE: the body (and -i heads) in the file, nothing on stdout; no file when the request fails', T, async (t) => {
  const srv = await chainServer(t);
  const dir = await tempDir(t);
  const file = join(dir, 'out.txt');
  const r = await cli(['-o', file, '-i', '-L', `${srv.url}/r/1`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, 0);
  assert.equal(r.stderr, '', 'no progress bar: stderr is not a terminal');
  const text = await readFile(file, 'utf8');
  assert.match(text, /^HTTP\/1\.1 302 Found\n(.+\n)*\nHTTP\/1\.1 200 OK\n(.+\n)*X-Tag: final\n(.+\n)*\ndone$/i, text);

  const missing = join(dir, 'never.txt');
  const failed = await cli(['-o', missing, `http://127.0.0.1:${await closedPort()}/`]);
  assert.equal(failed.code, 7);
  assert.equal(existsSync(missing), false, 'opened only once a response arrived, as curl');

  const unwritable = await cli(['-o', join(dir, 'no-such-dir', 'x'), srv.url]);
  assert.equal(unwritable.code, 23, unwritable.stderr);
});

test('-o on a terminal draws a progress bar on stderr; -s draws none', T, async (t) => {
  const body = Buffer.alloc(300_000, 0x61);
  const srv = await recordingServer((_req, res) => res.end(body));
  t.after(() => srv.close());
  const dir = await tempDir(t);
  const bar = ttyIo({ TERM: 'xterm-256color' });
  assert.equal(await getCommand(['-o', join(dir, 'a'), srv.url], bar.io), 0);
  assert.match(bar.err(), /\r\[#+\] 100% 293 KiB \/ 293 KiB .*\n$/, JSON.stringify(bar.err()));
  assert.equal(bar.out(), '');
  assert.deepEqual(await readFile(join(dir, 'a')), body);
  const silent = ttyIo({ TERM: 'xterm-256color' });
  assert.equal(await getCommand(['-s', '-o', join(dir, 'b'), srv.url], silent.io), 0);
  assert.equal(silent.err(), '');
  const toStdout = ttyIo({ TERM: 'xterm-256color' });
  assert.equal(await getCommand([srv.url], toStdout.io), 0);
  assert.equal(toStdout.err(), '', 'no bar when the body goes to stdout');
});

test('-i -L prints every head of the chain, then the body; --max-redirs and exit 47', T, async (t) => {
  const srv = await chainServer(t);
  const r = await cli(['-i', '-L', '-w', '|%{num_redirects} %{url_effective}', `${srv.url}/r/2`]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.equal(out.match(/^HTTP\/1\.1 /gm)?.length, 3, out);
  assert.ok(out.endsWith(`\n\ndone|2 ${srv.url}/r/0`), out);
  const limited = await cli(['-L', '--max-redirs', '1', '-w', '%{exitcode} %{num_redirects}', `${srv.url}/r/2`]);
  assert.equal(limited.code, 47, limited.stderr);
  assert.match(limited.stderr, /ERR_TOO_MANY_REDIRECTS/);
  assert.equal(limited.stdout.toString(), '47 1');
  const notFollowed = await cli(['-w', '%{http_code} %{redirect_url}', `${srv.url}/r/1`]);
  assert.equal(notFollowed.stdout.toString(), `302 ${srv.url}/r/0`);
});

test('-w: escapes, %%, %header{}, @FILE, an unknown variable warned about; written on failure with 000 and the exit code', T, async (t) => {
  const srv = await chainServer(t);
  const dir = await tempDir(t);
  const r = await cli(['-o', '/dev/null', '-w', '%{http_code}\\t%{method}\\t100%%\\t%header{x-tag}\\t%{nope}\\n', srv.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), '200\tGET\t100%\tfinal\t\n');
  assert.match(r.stderr, /unknown --write-out variable: 'nope'/);
  const format = join(dir, 'format');
  await writeFile(format, '%{content_type}|%{size_download}|%{http_version}|%{reused}|%{conn_id}');
  const fromFile = await cli(['-w', `@${format}`, '-o', '/dev/null', srv.url]);
  assert.equal(fromFile.stdout.toString(), '|6|1.1|false|1', 'no Content-Type: empty, as curl');

  const port = await closedPort();
  const failed = await cli(['-w', '%{http_code} %{exitcode} %{time_total}', `http://127.0.0.1:${port}/`]);
  assert.equal(failed.code, 7);
  assert.match(failed.stdout.toString(), /^000 7 \d+\.\d{6}$/);
  const json = await cli(['-s', '--json', `http://127.0.0.1:${port}/`]);
  assert.equal(json.code, 7);
  assert.equal(json.stderr, '', '-s: no message');
  const obj = JSON.parse(json.stdout.toString()) as Record<string, unknown>;
  assert.equal(obj['exitcode'], 7);
  assert.equal(obj['http_code'], 0);
  assert.match(String(obj['errormsg']), /cannot connect/);
  assert.equal(obj['time_connect'], 0, 'never connected');
  const shown = await cli(['-sS', `http://127.0.0.1:${port}/`]);
  assert.match(shown.stderr, /ERR_CONNECT/, '-S brings the message back');
  // A body cut short: %{size_download} counts what arrived before it failed (as curl does).
  const cut = await rawServer((socket) =>
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart');
      setTimeout(() => socket.destroy(), 20);
    }),
  );
  t.after(() => cut.close());
  const partial = await cli(['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{exitcode}', cut.url]);
  assert.equal(partial.code, 18);
  assert.equal(partial.stdout.toString(), '200 4 18');
});

test('body flags: order kept across -d, --data-binary, --data-raw, --data-urlencode; -X; -d on get is a POST', T, async (t) => {
  const srv = await recordingServer((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const dir = await tempDir(t);
  const file = join(dir, 'f');
  await writeFile(file, 'x\r\ny\n');
  const r = await cli(['-d', 'a=1', '--data-binary', `@${file}`, '--data-raw', '@literal', '--data-urlencode', 'q=a b&c', '-d', `@${file}`, srv.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(srv.seen[0]!.method, 'POST');
  assert.equal(srv.seen[0]!.body.toString(), 'a=1&x\r\ny\n&@literal&q=a+b%26c&xy');
  const put = await cli(['-X', 'PUT', '-d', '{}', '-H', 'Content-Type: application/json', '-u', 'u:p', '-H', 'Authorization: Bearer t', '-A', 'agent/1', srv.url]);
  assert.equal(put.code, 0, put.stderr);
  assert.equal(srv.seen[1]!.method, 'PUT');
  assert.equal(srv.seen[1]!.headers.authorization, 'Bearer t', 'a -H Authorization wins over -u, as in curl');
  assert.equal(srv.seen[1]!.headers['user-agent'], 'agent/1');
  const del = await cli(['-X', 'DELETE', srv.url]);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(srv.seen[2]!.method, 'DELETE');
  assert.equal(srv.seen[2]!.body.length, 0);
  const post = await runCli(['post', srv.url]);
  assert.equal(post.code, 0, post.stderr);
  assert.equal(srv.seen[3]!.method, 'POST', 'post without -d: an empty body, as before');
});

test('exit statuses decided before any request: 3, 26, 58, 77; and 5 for a proxy that does not resolve', T, async (t) => {
  const srv = await recordingServer((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const dir = await tempDir(t);
  const absent = join(dir, 'absent');
  const cases: [string[], number, RegExp][] = [
    [['http://[::1/'], 3, /malformed URL/],
    [['-d', `@${absent}`, srv.url], 26, /cannot read .*absent: ENOENT/],
    [['--data-binary', `@${absent}`, srv.url], 26, /ENOENT/],
    [['-F', `f=@${absent}`, srv.url], 26, /ENOENT/],
    [['-w', `@${absent}`, srv.url], 26, /ENOENT/],
    [['--cert', absent, srv.url], 58, /--cert: cannot read/],
    [['--cacert', absent, srv.url], 77, /--cacert: cannot read/],
    [['-x', 'http://proxy.invalid:3128', srv.url], 5, /ERR_DNS/],
  ];
  for (const [args, code, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  // -s hides the message of an error found in the command line too (curl's -s); -sS shows it.
  const silent = await cli(['-s', 'http://[::1/']);
  assert.deepEqual([silent.code, silent.stderr], [3, '']);
  const shown = await cli(['-sS', 'http://[::1/']);
  assert.equal(shown.code, 3);
  assert.match(shown.stderr, /malformed URL/);
  assert.equal(srv.seen.length, 0, 'nothing reached the server');
});

test('connection flags become Transport options', async () => {
  const opts = parseGetArgs('get', ['-k', '--http1.1', '--connect-timeout', '1.5', '-m', '0.25', '-x', 'socks5h://p:1080', 'example.com']);
  assert.equal(opts.timeout, 250);
  assert.equal(opts.url, 'http://example.com');
  const t = await transportOptions(opts);
  assert.equal(t.tls?.rejectUnauthorized, false);
  assert.equal(t.forceAttemptHTTP2, false);
  assert.equal(t.dialTimeout, 1500);
  assert.equal(t.tlsHandshakeTimeout, 1500);
  assert.equal(String(t.proxy?.(null as never)), 'socks5h://p:1080');
  const h2c = await transportOptions(parseGetArgs('get', ['--http2-prior-knowledge', '--unix-socket', '/run/x.sock', 'http://localhost/']));
  assert.equal(h2c.unencryptedHTTP2, true);
  assert.equal(h2c.socketPath, '/run/x.sock');
});

test('a body cut short after a good head is 18, a connection closed before any response 52, as curl', T, async (t) => {
  const short = await rawServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello')));
  t.after(() => short.close());
  const empty = await rawServer((socket) => socket.once('data', () => socket.end()));
  t.after(() => empty.close());
  const cut = await cli([short.url]);
  assert.equal(cut.code, 18, cut.stderr);
  assert.equal(cut.stdout.toString(), 'hello', 'what arrived was written, as curl does');
  const none = await cli([empty.url]);
  assert.equal(none.code, 52, none.stderr);
});
