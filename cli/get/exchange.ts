// One exchange of `httpool get|head|post`: build the request, send it through the Client,
// print what came back (-i's head, the body to stdout or -o FILE), and always finish the body
// (read to the end, or closed for HEAD and --fail) so its connection goes back to the pool for
// the next --repeat.

import type { WriteStream } from 'node:fs';
import { Request, type Client, type Response } from '../../src/index.js';
import { EXIT_OK, paint, type Io, type Paint } from '../io.js';
import type { PlannedBody } from './body.js';
import { EXIT } from './exit-codes.js';
import { shownUrl } from './format.js';
import { mergeTraces } from './hooks.js';
import type { Meter } from './meter.js';
import type { GetOptions } from './options.js';
import { closeOutputFile, openOutputFile, OutputGuard, pipeBody, printHead } from './output.js';
import type { ProgressBar } from './progress.js';
import type { Tracer } from './trace.js';

export interface ExchangeContext {
  client: Client;
  io: Io;
  out: Paint;
  /** Guards stdout for the whole command. */
  guard: OutputGuard;
  /** The body the flags describe, files already opened; null for none. */
  body: PlannedBody | null;
  /** The -v tracer for this exchange, or null. */
  tracer: Tracer | null;
  /** -w/--json's measurements for this exchange. */
  meter: Meter;
  /** -o's progress bar on a terminal, or null. */
  progress: ProgressBar | null;
  /** -s without -S: no messages on stderr. */
  quiet: boolean;
  /** With -i -L: the redirect responses of this exchange, their heads shown before the last one's. */
  redirects: readonly Response[];
}

const hasField = (headers: readonly [string, string][], name: string): boolean => headers.some(([n]) => n.toLowerCase() === name);

function requestHeaders(opts: GetOptions, body: PlannedBody | null): [string, string][] {
  const headers = opts.headers.slice();
  // curl's -d default; a Content-Type given with -H wins.
  if (body !== null && body.contentType !== null && !hasField(headers, 'content-type')) headers.push(['Content-Type', body.contentType]);
  // -u is Basic, as in curl; an Authorization given with -H wins, as curl's custom headers do.
  if (opts.user !== null && !hasField(headers, 'authorization')) {
    headers.push(['Authorization', `Basic ${Buffer.from(opts.user).toString('base64')}`]);
  }
  return headers;
}

/** Writes -i's heads (the redirects', then the response's) and the body to `dest`; returns the body's size. */
async function deliver(opts: GetOptions, ctx: ExchangeContext, res: Response, dest: Io['out'], guard: OutputGuard, p: Paint): Promise<number> {
  if (opts.include) {
    for (const hop of ctx.redirects) printHead(hop, dest, p);
    printHead(res, dest, p);
  }
  if (opts.method === 'HEAD') {
    await res.body.close();
    return 0;
  }
  return pipeBody(res, dest, guard, ctx.meter);
}

export async function exchange(opts: GetOptions, ctx: ExchangeContext): Promise<number> {
  const { io, tracer, meter, progress } = ctx;
  const trace = mergeTraces(tracer?.trace ?? null, meter.trace, progress === null ? null : { downloadProgress: (i) => progress.update(i) });
  const req = new Request(opts.method, opts.url, { headers: requestHeaders(opts, ctx.body), body: ctx.body?.body ?? null, trace });
  let res: Response;
  try {
    res = await ctx.client.do(req);
  } catch (err) {
    tracer?.finish(null);
    throw err;
  }
  meter.response = res;
  tracer?.response(res);

  if (opts.fail && res.statusCode >= 400) {
    // curl -f prints nothing of the body; closing drains a little so the connection survives.
    await res.body.close();
    tracer?.finish(null);
    if (!ctx.quiet) io.err.write(`httpool: ${res.request.method} ${shownUrl(res.request.url)}: HTTP ${res.status}\n`);
    return EXIT.httpError;
  }
  let file: WriteStream | null = null;
  let bytes: number;
  try {
    if (opts.output === null) {
      bytes = await deliver(opts, ctx, res, io.out, ctx.guard, ctx.out);
    } else {
      file = await openOutputFile(opts.output);
      const guard = new OutputGuard(file);
      try {
        // A file is no terminal: paint() gives it no colors.
        bytes = await deliver(opts, ctx, res, file, guard, paint({ isTTY: false }, io.env));
        await closeOutputFile(file, opts.output);
      } finally {
        guard.release();
      }
    }
  } catch (err) {
    file?.destroy();
    await res.body.close();
    progress?.done();
    tracer?.finish(null);
    throw err;
  }
  meter.downloaded = bytes;
  progress?.done();
  tracer?.finish(opts.method === 'HEAD' ? null : bytes);
  return EXIT_OK;
}
