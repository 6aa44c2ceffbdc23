// Pattern 3 (seed 002a): a request whose stream body was already consumed is sent again, as a
// retry would. Go wrote a short or empty body; the server failed it and the connection churned.

import { Readable } from 'node:stream';
import { attempt, expectOk, type Outcome } from '../outcome.js';
import { nodeRequest, readAll } from '../node-http.js';
import { fetchRun, httpoolRun, nodeHttpRun, undiciRun, uploadStream, type Pattern } from '../pattern.js';
import { N } from './sizes.js';

/** N/2 pairs: a request, then the same request body again as a retry would send it. */
const PAIRS = N / 2;

/** Each pair gets a fresh body from `make`; both sends of the pair use that same body. */
async function pairs<B>(out: Outcome, make: () => B, send: (body: B) => Promise<void>): Promise<void> {
  for (let i = 0; i < PAIRS; i++) {
    const body = make();
    for (let k = 0; k < 2; k++) await attempt(out, () => send(body));
  }
}

export const bodyReused: Pattern = {
  id: '3 request body reused',
  seed: '002a',
  explains: 'A request whose stream body was already consumed is sent again (a retry); Go wrote a short or empty body, the server failed it, and the connection was closed and redialled.',
  runs: [
    {
      client: 'fetch (same stream)',
      library: 'fetch',
      explains: 'fetch refuses a used stream body with a TypeError before anything is sent.',
      run: (ctx) => fetchRun((out) => pairs(out, uploadStream, async (body) => {
        const res = await fetch(ctx.server.url('/upload'), { method: 'POST', body, duplex: 'half' });
        await res.arrayBuffer();
        expectOk(res.status);
      })),
    },
    {
      client: 'node:http (same stream)',
      library: 'node:http',
      explains: 'Piping a stream that has ended sends an empty chunked body without complaint: the server gets a short upload (400), as in Go.',
      run: (ctx) => nodeHttpRun((agent, out) => pairs(out, () => Readable.fromWeb(uploadStream()), async (body) => {
        const res = await nodeRequest(ctx.server.url('/upload'), { agent, method: 'POST', body });
        await readAll(res);
        expectOk(res.statusCode ?? 0);
      })),
    },
    {
      client: 'undici (same stream)',
      library: 'undici',
      explains: 'A stream that has ended goes out as an empty body without complaint: the server gets a short upload (400), as in Go.',
      run: (ctx) => undiciRun(ctx, (pool, out) => pairs(out, () => Readable.fromWeb(uploadStream()), async (body) => {
        const res = await pool.request({ path: '/upload', method: 'POST', body });
        await res.body.dump();
        expectOk(res.statusCode);
      })),
    },
    {
      client: 'httpool (same stream)',
      library: 'httpool',
      explains: 'A used stream fails ERR_BODY_NOT_REPLAYABLE before a byte is written: never a short body, and the connection stays.',
      run: (ctx) => httpoolRun(ctx, {}, (client, out) => pairs(out, uploadStream, async (body) => {
        const res = await client.post(ctx.server.url('/upload'), 'application/octet-stream', body);
        await res.body.bytes();
        expectOk(res.statusCode);
      })),
    },
    {
      client: 'httpool (() => stream)',
      library: 'httpool',
      explains: "A function body (Go's GetBody) makes a fresh stream for every send, so the second send is whole.",
      // The function is the body: both sends of a pair call it for their own stream.
      run: (ctx) => httpoolRun(ctx, {}, (client, out) => pairs(out, () => uploadStream, async (body) => {
        const res = await client.post(ctx.server.url('/upload'), 'application/octet-stream', body);
        await res.body.bytes();
        expectOk(res.statusCode);
      })),
    },
  ],
};
