// One exchange of `httpool get|head|post`: build the request, send it through the Client,
// print what came back, and always finish the body (read to the end, or closed for HEAD and
// --fail) so its connection goes back to the pool for the next --repeat.

import { Request, type Client, type Response } from '../../src/index.js';
import { EXIT_OK, type Io, type Paint } from '../io.js';
import { shownUrl } from './format.js';
import type { GetOptions } from './options.js';
import { pipeBody, printHead, type OutputGuard } from './output.js';
import type { Tracer } from './trace.js';

/** curl's exit status for --fail on an HTTP error. */
export const EXIT_HTTP_ERROR = 22;

export interface ExchangeContext {
  client: Client;
  io: Io;
  out: Paint;
  guard: OutputGuard;
  /** The -d body, already read (POST only). */
  body: Buffer | null;
  /** The -v tracer for this exchange, or null. */
  tracer: Tracer | null;
}

export async function exchange(opts: GetOptions, ctx: ExchangeContext): Promise<number> {
  const { io, tracer } = ctx;
  const headers = opts.headers.slice();
  // curl's -d default; a Content-Type given with -H wins.
  if (ctx.body !== null && !headers.some(([name]) => name.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  const req = new Request(opts.method, opts.url, { headers, body: ctx.body, trace: tracer?.trace ?? null });
  let res: Response;
  try {
    res = await ctx.client.do(req);
  } catch (err) {
    tracer?.finish(null);
    throw err;
  }
  tracer?.response(res);

  if (opts.fail && res.statusCode >= 400) {
    // curl -f prints nothing of the body; closing drains a little so the connection survives.
    await res.body.close();
    tracer?.finish(null);
    io.err.write(`httpool: ${res.request.method} ${shownUrl(res.request.url)}: HTTP ${res.status}\n`);
    return EXIT_HTTP_ERROR;
  }
  if (opts.method === 'HEAD') {
    printHead(res, io.out, ctx.out);
    await res.body.close();
    tracer?.finish(null);
    return EXIT_OK;
  }
  let bytes: number;
  try {
    bytes = await pipeBody(res, io.out, ctx.guard);
  } catch (err) {
    await res.body.close();
    tracer?.finish(null);
    throw err;
  }
  tracer?.finish(bytes);
  return EXIT_OK;
}
