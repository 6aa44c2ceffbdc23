// Pattern 2 (seed 003): a heartbeat POST whose small response is checked and dropped, never
// read nor closed. In Go each such response pins its connection until descriptors run out.

import { expectOk, sequential } from '../outcome.js';
import { nodeRequest } from '../node-http.js';
import { fetchRun, httpoolRun, nodeHttpRun, undiciRun, type Pattern } from '../pattern.js';
import { N } from './sizes.js';

const heartbeat = '{"beat":1}';
const json = { 'content-type': 'application/json' };

export const neverClosed: Pattern = {
  id: '2 never closed',
  seed: '003',
  explains: 'A heartbeat POST whose 4 KiB response is checked and then dropped, never read nor closed; in Go each one pins its connection (CLOSE_WAIT once the server gives up) until file descriptors run out.',
  runs: [
    {
      client: 'fetch',
      library: 'fetch',
      explains: 'fetch buffers a body this small and frees the connection as it arrives, so the dropped Response costs nothing.',
      run: (ctx) => fetchRun((out) => sequential(out, N, async () => {
        const res = await fetch(ctx.server.url('/heartbeat'), { method: 'POST', headers: json, body: heartbeat });
        expectOk(res.status); // …and `res` is dropped
      })),
    },
    {
      client: 'node:http agent',
      library: 'node:http',
      explains: "An IncomingMessage never read never ends, so its socket never returns to the Agent: one more connection per heartbeat, held open until the server closes it (Go's leak).",
      run: (ctx) => nodeHttpRun((agent, out) => sequential(out, N, async () => {
        const res = await nodeRequest(ctx.server.url('/heartbeat'), { agent, method: 'POST', headers: json, body: heartbeat });
        expectOk(res.statusCode ?? 0); // …and `res` is dropped
      })),
    },
    {
      client: 'undici Pool',
      library: 'undici',
      explains: 'undici finishes reading a body this small into the dropped stream and reuses the connection.',
      run: (ctx) => undiciRun(ctx, (pool, out) => sequential(out, N, async () => {
        const { statusCode } = await pool.request({ path: '/heartbeat', method: 'POST', headers: json, body: heartbeat });
        expectOk(statusCode); // …and the body is dropped
      })),
    },
    {
      client: 'httpool',
      library: 'httpool',
      explains: 'A response that arrived whole gives its connection back at once, read or not; one connection serves every heartbeat.',
      run: (ctx) => httpoolRun(ctx, {}, (client, out) => sequential(out, N, async () => {
        const res = await client.post(ctx.server.url('/heartbeat'), 'application/json', heartbeat);
        expectOk(res.statusCode); // …and `res` is dropped
      })),
    },
  ],
};
