// `httpool get|head|post URL`: curl's job (the body to stdout, raw) over httpool's pool, with
// what curl cannot show: -v tells which pooled connection served each request and why one was
// not kept, and --repeat N sends the request N times on one Transport and says how many
// connections that took. One fresh Transport per invocation, closed at the end so the process
// exits at once instead of waiting for idle sockets to time out.

import * as dc from 'node:diagnostics_channel';
import { Client, RedirectError, Transport, useLastResponse, type CheckRedirect } from '../../src/index.js';
import { EXIT_OK, paint, type Command, type Io } from '../io.js';
import { exchange } from '../get/exchange.js';
import { summaryLine } from '../get/format.js';
import { loadData, parseGetArgs, usage, type Method } from '../get/options.js';
import { OutputGuard } from '../get/output.js';
import { verboseTracer, type Tracer } from '../get/trace.js';

/** Go's and curl's default redirect limit. */
const MAX_REDIRECTS = 10;

async function run(method: Method, args: string[], io: Io): Promise<number> {
  const opts = parseGetArgs(method, args);
  if (opts.help) {
    io.out.write(usage(method));
    return EXIT_OK;
  }
  // Read -d @file before any socket opens: a missing file is a usage error, not a half-sent request.
  const body = method === 'POST' ? await loadData(opts.data ?? []) : null;
  const errPaint = paint(io.err, io.env);

  // The tracer of the exchange in flight, for the hooks that live on the Client and the channel.
  let current: Tracer | null = null;
  const checkRedirect: CheckRedirect = (next, via) => {
    if (!opts.location) return useLastResponse; // curl's default: show the 3xx itself
    if (via.length >= MAX_REDIRECTS) throw new RedirectError('ERR_TOO_MANY_REDIRECTS', `stopped after ${MAX_REDIRECTS} redirects`);
    current?.redirect(next);
  };
  // Why a connection ended is only on the diagnostics channel; -v shows it where it happens.
  const onClosed = (message: unknown): void => {
    const { connId, reason } = message as { connId: number; reason: string };
    current?.note(`connection #${connId} closed: ${reason}`);
  };

  const transport = new Transport();
  const client = new Client({ transport, checkRedirect, ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }) });
  const guard = new OutputGuard(io.out);
  if (opts.verbose) dc.subscribe('httpool:connectionClosed', onClosed);
  try {
    let code = EXIT_OK;
    for (let i = 1; i <= opts.repeat && code === EXIT_OK; i++) {
      const write = (lines: string): void => void io.err.write(`${lines}\n`);
      current = opts.verbose ? verboseTracer(method, new URL(opts.url), body !== null, write, errPaint) : null;
      if (opts.repeat > 1) current?.note(`request ${i} of ${opts.repeat}`);
      code = await exchange(opts, { client, io, out: paint(io.out, io.env), guard, body, tracer: current });
    }
    // The reuse verdict: what --repeat is for, and the last word of a -v trace.
    if (opts.repeat > 1 || opts.verbose) io.err.write(`${summaryLine(transport.stats().totals)}\n`);
    return code;
  } finally {
    // Closing the transport closes its own connections: those are not news.
    if (opts.verbose) dc.unsubscribe('httpool:connectionClosed', onClosed);
    guard.release();
    await transport.close();
  }
}

export const get: Command = (args, io) => run('GET', args, io);
export const head: Command = (args, io) => run('HEAD', args, io);
export const post: Command = (args, io) => run('POST', args, io);
