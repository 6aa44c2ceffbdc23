// Pattern 5 (seed 003): the server closes idle connections (here after 300 ms) long before
// the client's idle timeout (Go: 90 s); bursts come just after the server's limit.

import { attempt, expectOk, sleep, type Outcome } from '../outcome.js';
import { nodeRequest, readAll } from '../node-http.js';
import { fetchRun, httpoolRun, nodeHttpRun, undiciRun, type Pattern } from '../pattern.js';

// The slowest pattern (the pauses are wall-clock): 6 bursts keep each row near 2 s.
const BURSTS = 6;
const BURST_SIZE = 10;
const SERVER_IDLE_MS = 300;
/** 320–400 ms, deterministic: always just past the server's 300 ms idle limit. */
const pauseMs = (burst: number): number => SERVER_IDLE_MS + 20 + ((burst * 37) % 81);

async function bursts(out: Outcome, one: () => Promise<void>): Promise<void> {
  for (let b = 0; b < BURSTS; b++) {
    if (b > 0) await sleep(pauseMs(b));
    await Promise.all(Array.from({ length: BURST_SIZE }, () => attempt(out, one)));
  }
}

export const serverClosesIdle: Pattern = {
  id: '5 server closes idle first',
  seed: '003',
  explains: 'The server silently closes connections idle for 300 ms while the client keeps them for 90 s; a client that reuses a connection the server already closed gets a reset instead of an answer.',
  server: { silentIdleCloseMs: SERVER_IDLE_MS },
  runs: [
    {
      client: 'fetch',
      library: 'fetch',
      explains: "fetch sees the server's FIN on its idle sockets and drops them, so each burst dials anew without errors.",
      run: (ctx) => fetchRun((out) => bursts(out, async () => {
        const res = await fetch(ctx.server.url('/small'));
        await res.arrayBuffer();
        expectOk(res.status);
      })),
    },
    {
      client: 'node:http agent',
      library: 'node:http',
      explains: 'The Agent removes a free socket when the server closes it, so each burst dials anew.',
      run: (ctx) => nodeHttpRun((agent, out) => bursts(out, async () => {
        const res = await nodeRequest(ctx.server.url('/small'), { agent });
        await readAll(res);
        expectOk(res.statusCode ?? 0);
      })),
    },
    {
      client: 'undici Pool',
      library: 'undici',
      explains: "The Pool drops connections the server closed, so each burst dials anew.",
      run: (ctx) => undiciRun(ctx, (pool, out) => bursts(out, async () => {
        const res = await pool.request({ path: '/small', method: 'GET' });
        await res.body.dump();
        expectOk(res.statusCode);
      })),
    },
    {
      client: 'httpool',
      library: 'httpool',
      explains: "httpool notices the server's close at once (server-closed), learns the host's idle limit and retires connections just before it (server-idle-limit): no errors.",
      run: (ctx) => httpoolRun(ctx, {}, (client, out) => bursts(out, async () => {
        const res = await client.get(ctx.server.url('/small'));
        await res.body.bytes();
        expectOk(res.statusCode);
      })),
    },
  ],
};
