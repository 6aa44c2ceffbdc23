// The command line of `httpool bench`: its flags, its --help text, and the checks that turn
// argv into BenchOptions. Everything wrong with the command line is a UsageError here (exit 2),
// before a server starts or a socket opens.

import { readFileSync } from 'node:fs';
import { intFlag, parseArgs, type FlagSpecs } from '../args.js';
import { UsageError } from '../io.js';
import { DEFAULT_CONCURRENCY, DEFAULT_REQUESTS, DEFAULT_TIMEOUT_MS, HARD_MAX_REQUESTS, type BenchOptions } from './run.js';
import { LATE_AFTER_MS } from './load.js';
import { DEFAULT_SERVER_BODY_BYTES } from './server.js';

/** --rate with neither -d nor -n runs this long (a rate needs a time to mean anything). */
export const DEFAULT_RATE_SECONDS = 10;

export const USAGE = `usage: httpool bench [URL] [options]

Loads URL (without one, an embedded server on 127.0.0.1, in a child process of its own)
through a fresh httpool Transport, reading every body to the end, then reports throughput, a
latency histogram, connection reuse, why connections closed, and advice on the pool settings.

Two load models:
  closed (default)   -c callers, each sending its next request when the last one is answered.
                     A slow server slows the load down, so a stall hides in the figures.
  open (--rate R)    R requests a second on a fixed schedule, whatever the server does, at most
                     -c in flight. Latency counts from each request's scheduled send time (free
                     of coordinated omission, as wrk2 and oha). A request that cannot go out on
                     time (every -c slot busy) waits and is counted late (more than ${LATE_AFTER_MS} ms behind);
                     none is dropped silently: when the schedule ends, a backlog is still sent
                     for up to min(--timeout, 10 s), then what is left is reported as never
                     sent. The report says whether the rate was held (nothing unsent, at least
                     95% of the rate sent, at most 5% late).

load:
  -c, --concurrency N         callers; with --rate, requests in flight at most (default ${DEFAULT_CONCURRENCY})
  -n, --requests N            requests in total (default ${DEFAULT_REQUESTS.toLocaleString('en-US')})
  -d, --duration SECONDS      run this long instead; also stops at -n if given, else at ${HARD_MAX_REQUESTS.toLocaleString('en-US')}
  -q, --rate R                open model: R requests a second (decimals allowed); without -d or -n
                              it runs ${DEFAULT_RATE_SECONDS} s
      --warmup SECONDS        run the same load this long first and count none of it (the
                              client's cold start: JIT, first dials; default 0)
  -m, --method METHOD         request method (default GET)
  -H, --header 'Name: value'  add a request header (repeatable)
      --body @FILE            send FILE's bytes as each request's body (--body TEXT sends TEXT)
      --body-bytes N          send an N-byte body with each request
      --think MS              each caller pauses MS between its requests (closed model; default 0)
      --timeout MS            per-request timeout, whole exchange (default ${DEFAULT_TIMEOUT_MS}; 0 = none)

connection:
      --http2                 HTTP/2: ALPN h2 for https, prior-knowledge h2c for http (and an h2c
                              embedded server); without it every connection is HTTP/1.1
  -k, --insecure              do not verify the server's TLS certificate
      --cacert FILE           trust the CA certificates in FILE (PEM) instead of the system's
      --unix-socket PATH      connect to this Unix socket; the URL gives the scheme and Host

pool (Transport options):
      --max-conns-per-host N  maxConnsPerHost (default 0 = no limit; above it requests wait)
      --max-idle-per-host N   maxIdleConnsPerHost (default 100; Go's default is 2)
      --max-idle N            maxIdleConns across hosts (default 100; 0 = no limit)
      --idle-timeout MS       idleConnTimeout (default 90000; 0 = until the server closes)
      --disable-keepalives    disableKeepAlives: one request per connection

embedded server (only without a URL):
      --server-delay MS       answer each request after MS (default 0)
      --server-body-bytes N   response body size (default ${DEFAULT_SERVER_BODY_BYTES})
      --server-close          answer with Connection: close (a server without keep-alive)
      --server-idle-timeout MS  close connections idle MS, unannounced, like Go's server
                              (default: node's 5 s, announced in Keep-Alive: timeout=5)

output:
      --json                  print one JSON object on stdout and nothing else: the summary,
                              percentiles, histogram buckets, per-second series and advice
      --report FILE.html      also write a self-contained page: a timeline lane per connection,
                              the requests it served, idle gaps and how it ended
      --debug                 print stacks on errors
  -h, --help                  this text

A live line (the last second's throughput and errors) goes to stderr when it is a terminal.
Exit status: 0 when the bench ran (failed requests are counted in the report, not fatal); 1
when no request succeeded (the URL refused every connection, say); 2 for a bad command line;
130 when interrupted (the results so far are printed).

examples:
  httpool bench                                        # healthy: no advice
  httpool bench --max-idle-per-host 2 --think 5        # seed 002: Go's 2 idle slots churn
  httpool bench http://127.0.0.1:8080/health -c 100 -d 10
  httpool bench http://127.0.0.1:8080/ --rate 2000 -d 10 -c 200 --warmup 2   # open model: is 2,000 req/s held?
  httpool bench https://localhost:8443/ --cacert ca.pem --http2 -m POST --body @payload.json`;

const SPECS = {
  concurrency: { kind: 'value', short: 'c' },
  requests: { kind: 'value', short: 'n' },
  duration: { kind: 'value', short: 'd' },
  rate: { kind: 'value', short: 'q' },
  warmup: { kind: 'value' },
  body: { kind: 'value' },
  http2: { kind: 'boolean' },
  insecure: { kind: 'boolean', short: 'k' },
  cacert: { kind: 'value' },
  'unix-socket': { kind: 'value' },
  method: { kind: 'value', short: 'm' },
  header: { kind: 'list', short: 'H' },
  think: { kind: 'value' },
  'body-bytes': { kind: 'value' },
  timeout: { kind: 'value' },
  'max-conns-per-host': { kind: 'value' },
  'max-idle-per-host': { kind: 'value' },
  'max-idle': { kind: 'value' },
  'idle-timeout': { kind: 'value' },
  'disable-keepalives': { kind: 'boolean' },
  'server-delay': { kind: 'value' },
  'server-body-bytes': { kind: 'value' },
  'server-close': { kind: 'boolean' },
  'server-idle-timeout': { kind: 'value' },
  json: { kind: 'boolean' },
  report: { kind: 'value' },
  debug: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} satisfies FlagSpecs;

export interface BenchCommandLine {
  help: boolean;
  json: boolean;
  /** --report FILE.html, or null. */
  report: string | null;
  bench: BenchOptions;
}

const MiB64 = 64 << 20;
const MAX_RATE = 1_000_000;
const DAY_MS = 86_400_000;

/** "127.0.0.1:8080/x" → "http://127.0.0.1:8080/x", as curl does; only http and https. */
function parseUrl(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`only http and https URLs, got ${url.protocol}`);
  return url.href;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** "Name: value"; checked here because the transport refuses a bad header only when sending. */
function parseHeader(raw: string): [string, string] {
  const colon = raw.indexOf(':');
  const name = colon < 0 ? '' : raw.slice(0, colon).trim();
  const value = raw.slice(colon + 1).trim();
  if (!TOKEN.test(name)) throw new UsageError(`-H needs 'Name: value' with a token for the name, got ${JSON.stringify(raw)}`);
  if (/[\r\n\0]/.test(value)) throw new UsageError(`-H value may not contain CR, LF or NUL: ${JSON.stringify(raw)}`);
  return [name, value];
}

function parseSeconds(raw: string | undefined, flag = '--duration'): number | null {
  if (raw === undefined) return null;
  const s = Number(/^\d+(\.\d+)?$/.test(raw.trim()) ? raw.trim() : NaN);
  const msValue = Math.round(s * 1000);
  if (!Number.isFinite(s) || msValue < 1 || msValue > DAY_MS) {
    throw new UsageError(`${flag} needs seconds above 0 and at most a day (86400), got ${JSON.stringify(raw)}`);
  }
  return msValue;
}

function parseRate(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const r = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(r > 0 && r <= MAX_RATE)) throw new UsageError(`--rate needs requests per second above 0 and at most ${MAX_RATE.toLocaleString('en-US')}, got ${JSON.stringify(raw)}`);
  return r;
}

/** A file's bytes for --body @FILE and --cacert; a file that cannot be read is a command-line mistake. */
function readFlagFile(flag: string, path: string): Buffer {
  if (path === '') throw new UsageError(`${flag} needs a file name`);
  try {
    const data = readFileSync(path);
    if (data.length > MiB64) throw new UsageError(`${flag} ${path}: larger than 64 MiB`);
    return data;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** --body @FILE: the file's bytes, sent as they are (unlike curl's -d @file, nothing stripped). --body TEXT: the text. */
function parseBody(raw: string | undefined): Buffer | null {
  if (raw === undefined) return null;
  return raw.startsWith('@') ? readFlagFile('--body', raw.slice(1)) : Buffer.from(raw, 'utf8');
}

export function parseBenchArgs(argv: readonly string[]): BenchCommandLine {
  const { flags: f, positionals } = parseArgs(argv, SPECS);
  if (f.help) return { help: true, json: false, report: null, bench: {} };
  if (positionals.length > 1) throw new UsageError(`one URL at most, got ${positionals.length}: ${positionals.join(' ')}`);
  const url = positionals[0] === undefined ? null : parseUrl(positionals[0]);

  const serverFlags = (['server-delay', 'server-body-bytes', 'server-close', 'server-idle-timeout'] as const).filter(
    (k) => f[k] !== undefined && f[k] !== false,
  );
  if (url !== null && serverFlags.length > 0) {
    throw new UsageError(`--${serverFlags[0]} configures the embedded server, which runs only without a URL`);
  }

  let durationMs = parseSeconds(f.duration);
  const rate = parseRate(f.rate);
  if (rate !== null && f.think !== undefined) throw new UsageError('--think paces the closed model\'s callers; with --rate the schedule sets the pace');
  if (rate !== null && durationMs === null && f.requests === undefined) durationMs = DEFAULT_RATE_SECONDS * 1000;
  if (f.body !== undefined && f['body-bytes'] !== undefined) throw new UsageError('--body and --body-bytes both set the request body: give one');
  const socketPath = f['unix-socket'] ?? null;
  if (socketPath !== null && url === null) throw new UsageError('--unix-socket needs a URL (it gives the scheme and Host; the embedded server listens on TCP)');
  if (socketPath === '') throw new UsageError('--unix-socket needs a path');
  if (f.http2 && url === null && (f['server-close'] || f['server-idle-timeout'] !== undefined)) {
    throw new UsageError('--server-close and --server-idle-timeout are HTTP/1.1 behaviours; the --http2 embedded server has neither');
  }
  const method = f.method ?? 'GET';
  if (!TOKEN.test(method)) throw new UsageError(`-m needs an HTTP method token, got ${JSON.stringify(method)}`);

  const pool: NonNullable<BenchOptions['pool']> = {};
  const maxConns = intFlag('max-conns-per-host', f['max-conns-per-host'], 0);
  const maxIdlePerHost = intFlag('max-idle-per-host', f['max-idle-per-host'], 0);
  const maxIdle = intFlag('max-idle', f['max-idle'], 0);
  const idleTimeout = intFlag('idle-timeout', f['idle-timeout'], 0);
  if (maxConns !== undefined) pool.maxConnsPerHost = maxConns;
  if (maxIdlePerHost !== undefined) pool.maxIdleConnsPerHost = maxIdlePerHost;
  if (maxIdle !== undefined) pool.maxIdleConns = maxIdle;
  if (idleTimeout !== undefined) pool.idleConnTimeout = idleTimeout;
  if (f['disable-keepalives']) pool.disableKeepAlives = true;

  const bench: BenchOptions = {
    url,
    concurrency: intFlag('concurrency', f.concurrency, 1, 10_000) ?? DEFAULT_CONCURRENCY,
    // With -d and no -n the run is bounded by HARD_MAX_REQUESTS (runBench's default).
    requests: intFlag('requests', f.requests, 1, HARD_MAX_REQUESTS) ?? (durationMs === null ? DEFAULT_REQUESTS : HARD_MAX_REQUESTS),
    durationMs,
    rate,
    warmupMs: parseSeconds(f.warmup, '--warmup') ?? 0,
    method,
    headers: f.header.map(parseHeader),
    thinkMs: intFlag('think', f.think, 0, 60_000) ?? 0,
    bodyBytes: intFlag('body-bytes', f['body-bytes'], 0, MiB64) ?? 0,
    body: parseBody(f.body),
    http2: f.http2,
    insecure: f.insecure,
    ca: f.cacert === undefined ? null : readFlagFile('--cacert', f.cacert),
    socketPath,
    timeoutMs: intFlag('timeout', f.timeout, 0, DAY_MS) ?? DEFAULT_TIMEOUT_MS,
    pool,
    server: {
      delayMs: intFlag('server-delay', f['server-delay'], 0, 60_000) ?? 0,
      bodyBytes: intFlag('server-body-bytes', f['server-body-bytes'], 0, MiB64) ?? DEFAULT_SERVER_BODY_BYTES,
      close: f['server-close'],
      idleTimeoutMs: intFlag('server-idle-timeout', f['server-idle-timeout'], 1, DAY_MS) ?? null,
    },
  };
  if (f.report !== undefined && f.report === '') throw new UsageError('--report needs a file name');
  return { help: false, json: f.json, report: f.report ?? null, bench };
}
