// `httpool get|head|post URL`: curl's job and curl's flags (the body to stdout, raw) over
// httpool's pool, with what curl cannot show: -v tells which pooled connection served each
// request and why one was not kept, and --repeat N sends the request N times on one Transport
// and says how many connections that took. One fresh Transport per invocation, closed at the
// end so the process exits at once instead of waiting for idle sockets to time out. Failures
// exit with curl's numbers (cli/get/exit-codes.ts).

import * as dc from 'node:diagnostics_channel';
import { Client, RedirectError, Transport, useLastResponse, type CheckRedirect, type RequestRedirectMessage, type Response } from '../../src/index.js';
import { EXIT_OK, formatError, paint, type Command, type Io } from '../io.js';
import { planBody, withQuery } from '../get/body.js';
import { exchange } from '../get/exchange.js';
import { ExitError, exitCodeFor } from '../get/exit-codes.js';
import { summaryLine } from '../get/format.js';
import { Meter } from '../get/meter.js';
import { parseGetArgs, type CommandName, type GetOptions } from '../get/options.js';
import { OutputGuard } from '../get/output.js';
import { progressBar } from '../get/progress.js';
import { transportOptions } from '../get/transport.js';
import { usage } from '../get/usage.js';
import { verboseTracer, type Tracer } from '../get/trace.js';
import { renderWriteOut, toJson, writeOutFormat } from '../get/write-out.js';

async function run(command: CommandName, args: string[], io: Io): Promise<number> {
  const debug = args.includes('--debug');
  // A UsageError goes up to main (exit 2 with the usage hint); the rest are reported here.
  const fail = (err: unknown, quiet: boolean): number => {
    if (!(err instanceof ExitError)) throw err;
    if (!quiet) io.err.write(`${formatError(err, debug)}\n`);
    return err.exitCode;
  };
  let opts: GetOptions;
  try {
    opts = parseGetArgs(command, args);
  } catch (err) {
    return fail(err, err instanceof ExitError && err.silenced);
  }
  if (opts.help) {
    io.out.write(usage(command));
    return EXIT_OK;
  }
  // -s hides error messages too, unless -S asks for them back (curl's -sS).
  const quiet = opts.silent && !opts.showError;
  // Files named by flags are read before any socket opens: a missing one sends nothing.
  let body: Awaited<ReturnType<typeof planBody>>;
  let format: string | null;
  let transport: Transport;
  try {
    if (opts.dataInQuery) opts.url = await withQuery(opts.url, opts.data);
    body = opts.dataInQuery ? null : await planBody(opts.data, opts.form, opts.method, command);
    format = await writeOutFormat(opts.writeOut);
    transport = new Transport(await transportOptions(opts));
  } catch (err) {
    return fail(err, quiet);
  }
  const errPaint = paint(io.err, io.env);
  const proxyHost = opts.proxy === null ? null : new URL(opts.proxy).hostname;

  // The tracer and meter of the exchange in flight, for the hooks that live on the Client.
  let current: Tracer | null = null;
  let meter = new Meter();
  const checkRedirect: CheckRedirect = (next, via) => {
    if (!opts.location) return useLastResponse; // curl's default: show the 3xx itself
    if (via.length > opts.maxRedirects) throw new RedirectError('ERR_TOO_MANY_REDIRECTS', `stopped after ${opts.maxRedirects} redirects`);
    meter.redirects++;
    current?.redirect(next);
  };
  // -i -L shows every head of the chain, as curl does; the Client tells of each redirect it
  // follows on this channel, with the response (whose body it closes: only the head is kept).
  let redirects: Response[] = [];
  const onRedirect = (message: unknown): void => void redirects.push((message as RequestRedirectMessage).response);
  // Why a connection ended is only on the diagnostics channel; -v shows it where it happens.
  const onClosed = (message: unknown): void => {
    const { connId, reason } = message as { connId: number; reason: string };
    current?.note(`connection #${connId} closed: ${reason}`);
  };

  const client = new Client({ transport, checkRedirect, ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }) });
  const guard = new OutputGuard(io.out);
  const showProgress = opts.output !== null && io.err.isTTY === true && !opts.silent;
  if (opts.verbose) dc.subscribe('httpool:connectionClosed', onClosed);
  if (opts.include && opts.location) dc.subscribe('httpool:request:redirect', onRedirect);
  try {
    let code = EXIT_OK;
    for (let i = 1; i <= opts.repeat && code === EXIT_OK; i++) {
      const write = (lines: string): void => void io.err.write(`${lines}\n`);
      current = opts.verbose ? verboseTracer(opts.method, new URL(opts.url), body !== null, write, errPaint) : null;
      if (opts.repeat > 1) current?.note(`request ${i} of ${opts.repeat}`);
      meter = new Meter();
      redirects = [];
      const progress = showProgress ? progressBar((s) => void io.err.write(s)) : null;
      let errorMessage = '';
      try {
        code = await exchange(opts, { client, io, out: paint(io.out, io.env), guard, body, tracer: current, meter, progress, quiet, redirects });
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        code = exitCodeFor(err, { proxyHost, lastResolved: meter.lastResolved, afterHead: meter.response !== null });
        errorMessage = err.message;
        if (!quiet) io.err.write(`${formatError(err, debug)}\n`);
      } finally {
        meter.finish();
      }
      // curl writes -w after the body, on failure too (then http_code is 000 and exitcode says why).
      const outcome = { meter, url: opts.url, method: opts.method, exitCode: code, errorMessage };
      if (format !== null) io.out.write(renderWriteOut(format, outcome, (m) => void io.err.write(`httpool: warning: ${m}\n`)));
      if (opts.json) io.out.write(`${toJson(outcome)}\n`);
    }
    // The reuse verdict: what --repeat is for, and the last word of a -v trace.
    if (opts.repeat > 1 || opts.verbose) io.err.write(`${summaryLine(transport.stats().totals)}\n`);
    return code;
  } finally {
    // Closing the transport closes its own connections: those are not news.
    if (opts.verbose) dc.unsubscribe('httpool:connectionClosed', onClosed);
    if (opts.include && opts.location) dc.unsubscribe('httpool:request:redirect', onRedirect);
    guard.release();
    await transport.close();
  }
}

export const get: Command = (args, io) => run('get', args, io);
export const head: Command = (args, io) => run('head', args, io);
export const post: Command = (args, io) => run('post', args, io);
