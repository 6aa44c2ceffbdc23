// The command line of `httpool bench`: its flags, its --help text, and the checks that turn
// argv into BenchOptions. Everything wrong with the command line is a UsageError here (exit 2),
// before a server starts or a socket opens.

import { intFlag, parseArgs, type FlagSpecs } from '../args.js';
import { UsageError } from '../io.js';
import { DEFAULT_CONCURRENCY, DEFAULT_REQUESTS, DEFAULT_TIMEOUT_MS, HARD_MAX_REQUESTS, type BenchOptions } from './run.js';
import { DEFAULT_SERVER_BODY_BYTES } from './server.js';

export const USAGE = `usage: httpool bench [URL] [options]

Loads URL (without one, an embedded server on 127.0.0.1) through a fresh httpool Transport,
reading every body to the end, then reports throughput, latency, connection reuse, why
connections closed, and advice on the pool settings.

load:
  -c, --concurrency N         concurrent callers (default ${DEFAULT_CONCURRENCY})
  -n, --requests N            requests in total (default ${DEFAULT_REQUESTS.toLocaleString('en-US')})
  -d, --duration SECONDS      run this long instead; also stops at -n if given, else at ${HARD_MAX_REQUESTS.toLocaleString('en-US')}
  -m, --method METHOD         request method (default GET)
  -H, --header 'Name: value'  add a request header (repeatable)
      --think MS              each caller pauses MS between its requests (default 0)
      --body-bytes N          send an N-byte body with each request
      --timeout MS            per-request timeout, whole exchange (default ${DEFAULT_TIMEOUT_MS}; 0 = none)

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
      --json                  print one JSON object on stdout and nothing else
      --report FILE.html      also write a self-contained page: a timeline lane per connection,
                              the requests it served, idle gaps and how it ended
      --debug                 print stacks on errors
  -h, --help                  this text

A progress line goes to stderr when it is a terminal. Exit status: 0 when the bench ran (failed
requests are counted in the report, not fatal); 1 when no request succeeded (the URL refused
every connection, say); 2 for a bad command line; 130 when interrupted (the results so far are
printed).

examples:
  httpool bench                                        # healthy: no advice
  httpool bench --max-idle-per-host 2 --think 5        # seed 002: Go's 2 idle slots churn
  httpool bench http://127.0.0.1:8080/health -c 100 -d 10`;

const SPECS = {
  concurrency: { kind: 'value', short: 'c' },
  requests: { kind: 'value', short: 'n' },
  duration: { kind: 'value', short: 'd' },
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

function parseSeconds(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const s = Number(/^\d+(\.\d+)?$/.test(raw.trim()) ? raw.trim() : NaN);
  const msValue = Math.round(s * 1000);
  if (!Number.isFinite(s) || msValue < 1 || msValue > DAY_MS) {
    throw new UsageError(`--duration needs seconds above 0 and at most a day (86400), got ${JSON.stringify(raw)}`);
  }
  return msValue;
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

  const durationMs = parseSeconds(f.duration);
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
    method,
    headers: f.header.map(parseHeader),
    thinkMs: intFlag('think', f.think, 0, 60_000) ?? 0,
    bodyBytes: intFlag('body-bytes', f['body-bytes'], 0, MiB64) ?? 0,
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
