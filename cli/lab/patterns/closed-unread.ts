// Pattern 1 (seeds 000/001): read the status, close a 16 KiB body unread. Go's early close
// marks the connection dead, so a healthy-looking service dials once per request.

import { expectOk, sequential } from '../outcome.js';
import { nodeRequest } from '../node-http.js';
import { fetchRun, httpoolRun, nodeHttpRun, undiciRun, type Pattern } from '../pattern.js';
import { N } from './sizes.js';

export const closedUnread: Pattern = {
  id: '1 closed unread',
  seed: '000/001',
  explains: 'The caller reads the status and closes a 16 KiB body unread; closing early throws the connection away, so every request dials a new one (RSTs, TIME_WAIT) while the service looks healthy.',
  runs: [
    {
      client: 'fetch',
      library: 'fetch',
      explains: 'res.body.cancel() discards the connection, so every request dials a new one and leaves a TIME_WAIT socket.',
      run: (ctx) => fetchRun((out) => sequential(out, N, async () => {
        const res = await fetch(ctx.server.url('/page'));
        expectOk(res.status);
        await res.body?.cancel();
      })),
    },
    {
      client: 'node:http agent',
      library: 'node:http',
      explains: "res.destroy(), node:http's way to drop a body unread, destroys the socket, so the keep-alive Agent dials again for every request.",
      run: (ctx) => nodeHttpRun((agent, out) => sequential(out, N, async () => {
        const res = await nodeRequest(ctx.server.url('/page'), { agent });
        expectOk(res.statusCode ?? 0);
        res.destroy();
      })),
    },
    {
      client: 'undici Pool',
      library: 'undici',
      explains: "body.dump(), undici's documented way to discard a body, reads up to 128 KiB of it, so the connection goes back to the Pool.",
      run: (ctx) => undiciRun(ctx, (pool, out) => sequential(out, N, async () => {
        const { statusCode, body } = await pool.request({ path: '/page', method: 'GET' });
        expectOk(statusCode);
        await body.dump();
      })),
    },
    {
      client: 'httpool',
      library: 'httpool',
      explains: 'body.close() drains a remainder this small (maxDrainBytes, 256 KiB) and keeps the connection: one connection for every request.',
      run: (ctx) => httpoolRun(ctx, {}, (client, out) => sequential(out, N, async () => {
        const res = await client.get(ctx.server.url('/page'));
        expectOk(res.statusCode);
        await res.body.close();
      })),
    },
  ],
};
