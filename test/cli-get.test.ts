// `httpool get|head|post` as a user runs it: the built CLI in a child process against loopback
// servers, asserting on the bytes it printed, its exit status, and what the server received.
// Colors need a terminal, which a child's piped stdio is not, so the NO_COLOR rule is also
// checked in-process with streams that claim to be TTYs. The shared argument parser
// (cli/args.ts) is checked at the end.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingServer } from './support/recorder.js';
import { httpServer, onRequests, rawServer } from './support/servers.js';
import { get as getCommand, head as headCommand } from '../cli/commands/get.js';
import { parseArgs } from '../cli/args.js';
import { UsageError } from '../cli/io.js';
import { runCli, ttyIo, type CliRun } from './support/cli.js';
import { closedPort } from './support/servers.js';

/** Per test: generous for a few child processes, and a hang still fails instead of stalling the suite. */
const T = { timeout: 20_000 };
const ESC = '\u001b[';

type Run = CliRun;

function cli(args: string[], opts: { env?: Record<string, string>; ms?: number } = {}): Promise<Run> {
  return runCli(args, opts);
}


/** The indexes of the lines matching each pattern, in order; fails naming the first one missing. */
function linesInOrder(text: string, patterns: RegExp[]): void {
  const lines = text.split('\n');
  let from = 0;
  for (const p of patterns) {
    const i = lines.findIndex((l, idx) => idx >= from && p.test(l));
    assert.ok(i >= 0, `no line matching ${p} after line ${from} in:\n${text}`);
    from = i + 1;
  }
}

test('get prints the body byte for byte on stdout and nothing on stderr', T, async (t) => {
  // Not UTF-8, no final newline, a CR: anything "helpful" (decoding, a newline) shows.
  const body = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0d, 0x68, 0x69]);
  const srv = await recordingServer((_req, res) => res.end(body));
  t.after(() => srv.close());
  const r = await cli(['get', `${srv.url}/bytes`]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout, body);
  assert.equal(r.stderr, '');
  assert.equal(srv.seen[0]?.method, 'GET');
  assert.equal(srv.seen[0]?.url, '/bytes');
});

test('an HTTP error status exits 0 with its body; -f and --fail exit 22 and print no body', T, async (t) => {
  const srv = await recordingServer((_req, res) => {
    res.statusCode = 404;
    res.end('not here');
  });
  t.after(() => srv.close());
  const plain = await cli(['get', `${srv.url}/missing`]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout.toString(), 'not here');
  for (const flag of ['-f', '--fail']) {
    const failed = await cli(['get', flag, `${srv.url}/missing`]);
    assert.equal(failed.code, 22, `${flag}: ${failed.stderr}`);
    assert.equal(failed.stdout.length, 0, `${flag} prints no body`);
    assert.match(failed.stderr, /^httpool: GET http:\/\/127\.0\.0\.1:\d+\/missing: HTTP 404 Not Found\n$/);
  }
});

test('-f lets a status below 400 through with exit 0', T, async (t) => {
  const srv = await recordingServer((_req, res) => res.end('fine'));
  t.after(() => srv.close());
  const r = await cli(['get', '-f', srv.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), 'fine');
});

test('a refused connection: exit 7 (curl\'s), one line naming ERR_CONNECT and the request, no stack', T, async () => {
  const port = await closedPort();
  const r = await cli(['get', `http://127.0.0.1:${port}/x`]);
  assert.equal(r.code, 7);
  assert.equal(r.stdout.length, 0);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, new RegExp(`^httpool: ERR_CONNECT: GET http://127\\.0\\.0\\.1:${port}/x: cannot connect`));
  assert.doesNotMatch(r.stderr, /^\s+at /m);
});

test('--debug adds the stack to the same first line', T, async () => {
  const port = await closedPort();
  const r = await cli(['get', '--debug', `http://127.0.0.1:${port}/`]);
  assert.equal(r.code, 7);
  assert.match(r.stderr.split('\n')[0]!, /^httpool: ERR_CONNECT: GET /);
  assert.match(r.stderr, /^\s+at /m, `a stack, got:\n${r.stderr}`);
});

test('--timeout bounds an exchange the server never answers: exit 28 (curl\'s) with ERR_TIMEOUT', T, async (t) => {
  const srv = await rawServer(() => {}); // accepts, reads nothing, answers nothing
  t.after(() => srv.close());
  const started = Date.now();
  const r = await cli(['get', '--timeout', '300', srv.url], { ms: 8_000 });
  assert.equal(r.code, 28);
  assert.match(r.stderr, /^httpool: ERR_TIMEOUT: GET .*300 ms/);
  assert.ok(Date.now() - started < 5_000, 'the limit, not the 30 s default, ended it');
});

test('usage errors exit 2 before any request: unknown flag, missing URL, two methods, bad --repeat', T, async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const cases: [string[], RegExp][] = [
    [['get', '--bogus', srv.url], /unknown flag --bogus/],
    [['get', '-Z', srv.url], /unknown flag -Z/],
    [['get'], /missing URL/],
    [['head', '-v'], /missing URL/],
    [['get', '-I', '-d', 'x=1', srv.url], /HEAD takes no body/],
    [['head', '-d', 'x=1', srv.url], /HEAD takes no body/],
    [['get', '-d', 'x=1', '-F', 'a=b', srv.url], /-d and -F cannot be combined/],
    [['get', '-m', 'soon', srv.url], /--max-time needs a number of seconds/],
    [['get', '-u', 'nopassword', srv.url], /-u needs user:password/],
    [['get', '-x', 'ftp://proxy:21', srv.url], /-x supports http/],
    [['get', '--repeat', '0', srv.url], /--repeat needs a whole number/],
    [['get', '--timeout', 'soon', srv.url], /--timeout needs a whole number/],
    [['get', '-H', 'no colon here', srv.url], /-H needs 'Name: value'/],
    [['get', srv.url, srv.url], /one URL at a time/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /Run 'httpool \w+ --help' for usage/);
    assert.equal(r.stdout.length, 0);
  }
  assert.equal(srv.seen.length, 0, 'no usage error sent a request');
});

test('-H fields and -d data reach the server as given', T, async (t) => {
  const srv = await recordingServer((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const dir = await mkdtemp(join(tmpdir(), 'httpool-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'payload.bin');
  await writeFile(file, Buffer.from('line1\nline2\n'));

  const g = await cli(['get', '-H', 'X-Trace-Id: abc 123', '-HX-Attached:yes', '--header=X-Long: form', `${srv.url}/g`]);
  assert.equal(g.code, 0, g.stderr);
  const seenGet = srv.seen[0]!;
  assert.equal(seenGet.method, 'GET');
  assert.equal(seenGet.headers['x-trace-id'], 'abc 123');
  assert.equal(seenGet.headers['x-attached'], 'yes');
  assert.equal(seenGet.headers['x-long'], 'form');
  assert.equal(seenGet.body.length, 0);

  const p = await cli(['post', '-d', 'a=1', '-d', `@${file}`, '-H', 'X-Multi: 1', '-H', 'X-Multi: 2', `${srv.url}/p`]);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.stdout.toString(), 'ok');
  const seenPost = srv.seen[1]!;
  assert.equal(seenPost.method, 'POST');
  assert.equal(seenPost.url, '/p');
  // Repeated -d values are joined with '&' and -d @file drops CR and LF, as curl does.
  assert.equal(seenPost.body.toString(), 'a=1&line1line2');
  assert.equal(seenPost.headers['content-length'], String(seenPost.body.length));
  assert.equal(seenPost.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(seenPost.headers['x-multi'], '1, 2');

  const typed = await cli(['post', '-d', '{"a":1}', '-H', 'Content-Type: application/json', `${srv.url}/j`]);
  assert.equal(typed.code, 0, typed.stderr);
  assert.equal(srv.seen[2]!.headers['content-type'], 'application/json', 'a -H Content-Type wins');
  assert.equal(srv.seen[2]!.body.toString(), '{"a":1}');

  const missing = await cli(['post', '-d', `@${join(dir, 'absent')}`, `${srv.url}/m`]);
  assert.equal(missing.code, 26, 'curl\'s "read error"');
  assert.match(missing.stderr, /cannot read .*absent: ENOENT/);
  assert.equal(srv.seen.length, 3, 'an unreadable -d file sends nothing');
});

test('-v: connect, new connection, request head with >, response head with <, times; body alone on stdout', T, async (t) => {
  const srv = await recordingServer((_req, res) => {
    res.setHeader('X-Served-By', 'test');
    res.end('traced body');
  });
  t.after(() => srv.close());
  const r = await cli(['get', '-v', '-H', 'X-Custom: yes', `${srv.url}/path?q=1`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), 'traced body', 'the trace stays off stdout');
  linesInOrder(r.stderr, [
    new RegExp(`^\\* connecting to 127\\.0\\.0\\.1:${srv.port}$`),
    new RegExp(`^\\* connected to 127\\.0\\.0\\.1:${srv.port} in [\\d.]+ ms$`),
    /^\* new connection #1$/,
    /^> GET \/path\?q=1 HTTP\/1\.1$/,
    new RegExp(`^> Host: 127\\.0\\.0\\.1:${srv.port}$`),
    /^> X-Custom: yes$/,
    /^>$/,
    /^< HTTP\/1\.1 200 OK$/,
    /^< X-Served-By: test$/,
    /^< Content-Length: 11$/,
    /^<$/,
    /^\* body: 11 bytes$/,
    /^\* times: dns -, connect [\d.]+ ms, tls -, wait [\d.]+ ms, body [\d.]+ ms, total [\d.]+ ms$/,
    /^1 request, 1 connection opened, 0 reused$/,
  ]);
  assert.doesNotMatch(r.stderr, /resolving/, 'an IP literal is not resolved');
});

test('-v names the host it resolves when the URL has a name', T, async (t) => {
  const srv = await recordingServer((_req, res) => res.end('x'));
  t.after(() => srv.close());
  const r = await cli(['get', '-v', `http://localhost:${srv.port}/`]);
  // localhost may resolve to ::1 first, where the loopback server does not listen: either way
  // the name resolution is reported before any connect attempt.
  linesInOrder(r.stderr, [/^\* resolving localhost$/, /^\* resolved localhost to .*127\.0\.0\.1.* in [\d.]+ ms$/, /^\* connecting to /]);
});

test('-v --repeat 2: a new connection, then the same one reused after sitting idle, and the summary', T, async (t) => {
  const srv = await recordingServer((_req, res) => res.end('again'));
  t.after(() => srv.close());
  const r = await cli(['get', '-v', '--repeat', '2', `${srv.url}/r`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), 'againagain', 'the body each time');
  linesInOrder(r.stderr, [
    /^\* request 1 of 2$/,
    /^\* new connection #1$/,
    /^> GET \/r HTTP\/1\.1$/,
    /^< HTTP\/1\.1 200 OK$/,
    /^\* connection #1 kept in the idle pool$/,
    /^\* request 2 of 2$/,
    /^\* reused connection #1 \(idle [\d.]+ m?s\)$/,
    /^> GET \/r HTTP\/1\.1$/,
    /^< HTTP\/1\.1 200 OK$/,
    /^\* times: dns -, connect -, tls -, wait /,
    /^2 requests, 1 connection opened, 1 reused$/,
  ]);
  assert.equal(r.stderr.match(/new connection/g)?.length, 1);
  assert.deepEqual(srv.seen.map((s) => s.conn), [0, 0], 'the server saw both on one connection');
});

test('--repeat N without -v: the body N times, then the summary from the transport stats', T, async (t) => {
  const srv = await recordingServer((_req, res) => res.end('b'));
  t.after(() => srv.close());
  const r = await cli(['get', '--repeat', '3', srv.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), 'bbb');
  assert.equal(r.stderr, '3 requests, 1 connection opened, 2 reused\n');
  assert.equal(srv.connections, 1);
});

test('--repeat against a server that closes each connection: the summary says so, and why', T, async (t) => {
  const srv = await httpServer((_req, res) => {
    res.setHeader('Connection', 'close');
    res.end('c');
  });
  t.after(() => srv.close());
  const r = await cli(['get', '-v', '--repeat', '2', srv.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), 'cc');
  linesInOrder(r.stderr, [
    /^\* new connection #1$/,
    /^\* connection #1 closed: connection-close$/,
    /^\* new connection #2$/,
    /^2 requests, 2 connections opened, 0 reused; closed: connection-close 2$/,
  ]);
  assert.doesNotMatch(r.stderr, /reused connection/);
});

test('head prints the status line and header fields, not the body', T, async (t) => {
  // A HEAD response declares the GET body's length and sends none; the fields as sent.
  const heads: string[] = [];
  const srv = await rawServer((socket) =>
    onRequests(socket, (head) => {
      heads.push(head);
      socket.write('HTTP/1.1 200 OK\r\nX-Custom: here\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\n');
    }),
  );
  t.after(() => srv.close());
  const r = await cli(['head', `${srv.url}/h`]);
  assert.equal(r.code, 0, r.stderr);
  // An empty line ends the head, as in curl -I.
  assert.equal(r.stdout.toString(), 'HTTP/1.1 200 OK\nX-Custom: here\nContent-Type: text/plain\nContent-Length: 8\n\n');
  assert.match(heads[0] ?? '', /^HEAD \/h HTTP\/1\.1\r\n/);
});

test('redirects: shown as they are by default, followed with -L', T, async (t) => {
  const srv = await recordingServer((req, res) => {
    if (req.url === '/old') {
      res.statusCode = 302;
      res.setHeader('Location', '/new');
      res.end('moved');
    } else {
      res.end('arrived');
    }
  });
  t.after(() => srv.close());
  const plain = await cli(['get', `${srv.url}/old`]);
  assert.equal(plain.stdout.toString(), 'moved');
  const followed = await cli(['get', '-L', '-v', `${srv.url}/old`]);
  assert.equal(followed.code, 0, followed.stderr);
  assert.equal(followed.stdout.toString(), 'arrived');
  linesInOrder(followed.stderr, [
    /^> GET \/old HTTP\/1\.1$/,
    new RegExp(`^\\* following the redirect: GET http://127\\.0\\.0\\.1:${srv.port}/new$`),
    /^\* reused connection #1/,
    /^> GET \/new HTTP\/1\.1$/,
    /^< HTTP\/1\.1 200 OK$/,
  ]);
  assert.deepEqual(srv.seen.map((s) => s.url), ['/old', '/old', '/new']);
});

test('no ANSI escapes on piped output, with or without NO_COLOR', T, async (t) => {
  const srv = await recordingServer((_req, res) => {
    res.statusCode = 404; // a status -v would color red on a terminal
    res.end('x');
  });
  t.after(() => srv.close());
  for (const env of [{}, { NO_COLOR: '1' }] as Record<string, string>[]) {
    for (const cmd of ['get', 'head']) {
      const r = await cli([cmd, '-v', srv.url], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stderr.includes('< HTTP/1.1 404 Not Found'), 'the colorable line is there');
      assert.ok(!r.stdout.toString('latin1').includes(ESC), `${cmd} ${JSON.stringify(env)}: stdout`);
      assert.ok(!r.stderr.includes(ESC), `${cmd} ${JSON.stringify(env)}: stderr`);
    }
  }
});

test('on a terminal, -v and head use colors, and NO_COLOR=1 turns them off', T, async (t) => {
  const srv = await recordingServer((_req, res) => res.end('x'));
  t.after(() => srv.close());
  const colored = ttyIo({ TERM: 'xterm-256color' });
  assert.equal(await getCommand(['-v', srv.url], colored.io), 0);
  assert.ok(colored.err().includes(ESC), 'the control: a terminal gets colors');
  assert.equal(colored.out(), 'x', 'the body is never colored');
  const coloredHead = ttyIo({ TERM: 'xterm-256color' });
  assert.equal(await headCommand([srv.url], coloredHead.io), 0);
  assert.ok(coloredHead.out().includes(ESC));

  const plain = ttyIo({ TERM: 'xterm-256color', NO_COLOR: '1' });
  assert.equal(await getCommand(['-v', srv.url], plain.io), 0);
  assert.ok(plain.err().includes('< HTTP/1.1 200 OK'));
  assert.ok(!plain.err().includes(ESC), plain.err());
  const plainHead = ttyIo({ TERM: 'xterm-256color', NO_COLOR: '1' });
  assert.equal(await headCommand([srv.url], plainHead.io), 0);
  assert.ok(plainHead.out().startsWith('HTTP/1.1 200 OK\n'));
  assert.ok(!plainHead.out().includes(ESC));
});

test('--help for get, head and post exits 0 and lists the options', T, async () => {
  for (const cmd of ['get', 'head', 'post']) {
    for (const flag of ['--help', '-h']) {
      const r = await cli([cmd, flag]);
      assert.equal(r.code, 0, r.stderr);
      const text = r.stdout.toString();
      assert.match(text, new RegExp(`^usage: httpool ${cmd} \\[options\\] URL`));
      for (const opt of ['-H, --header', '-f, --fail', '-v, --verbose', '--repeat N', '--timeout MS', '-L, --location', '--debug', '-d, --data', '-w, --write-out', '--compressed', 'exit status']) {
        assert.ok(text.includes(opt), `${cmd} ${flag} mentions ${opt}`);
      }
    }
  }
});

test('parseArgs: long, short, attached and clustered forms, lists, --, and usage errors', () => {
  const specs = {
    header: { kind: 'list', short: 'H' },
    verbose: { kind: 'boolean', short: 'v' },
    fail: { kind: 'boolean', short: 'f' },
    out: { kind: 'value', short: 'o' },
  } as const;
  const a = parseArgs(['-vfHA: 1', 'url', '--header', 'B: 2', '--out=x', '-o', 'y', '--', '-v', '--out'], specs);
  assert.deepEqual(a.flags, { header: ['A: 1', 'B: 2'], verbose: true, fail: true, out: 'y' });
  assert.deepEqual(a.positionals, ['url', '-v', '--out']);
  const b = parseArgs(['-', '-H', '-not-a-flag'], specs);
  assert.deepEqual(b.flags, { header: ['-not-a-flag'], verbose: false, fail: false, out: undefined });
  assert.deepEqual(b.positionals, ['-']);
  for (const [argv, message] of [
    [['--nope'], /unknown flag --nope/],
    [['-x'], /unknown flag -x/],
    [['-vx'], /unknown flag -x \(in -vx\)/],
    [['--verbose=yes'], /--verbose takes no value/],
    [['-H'], /-H needs a value/],
    [['--out'], /--out needs a value/],
    [['--toString'], /unknown flag --toString/],
  ] as const) {
    assert.throws(() => parseArgs(argv, specs), (e: unknown) => e instanceof UsageError && message.test(e.message));
  }
});
