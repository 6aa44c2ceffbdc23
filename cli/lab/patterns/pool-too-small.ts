// Pattern 4 (seed 002b): 50 concurrent callers against one host. Go keeps 2 idle connections
// per host by default, so under load every other connection closes after use and is redialled.

import { concurrent, expectOk } from '../outcome.js';
import { nodeRequest, readAll } from '../node-http.js';
import { fetchRun, httpoolRun, nodeHttpRun, undiciRun, type Pattern } from '../pattern.js';

const WORKERS = 50;
const TOTAL = 1000;

export const poolTooSmall: Pattern = {
  id: '4 pool too small',
  seed: '002b',
  explains: "50 concurrent callers share one host's pool; with Go's 2 idle slots per host every other connection was closed after use and redialled, piling up TIME_WAIT.",
  runs: [
    {
      client: 'fetch',
      library: 'fetch',
      explains: "fetch's global dispatcher (undici inside) has no per-host limit: it dials whenever every connection is busy and keeps them all.",
      run: (ctx) => fetchRun((out) => concurrent(out, WORKERS, TOTAL, async () => {
        const res = await fetch(ctx.server.url('/small'));
        await res.arrayBuffer();
        expectOk(res.status);
      })),
    },
    {
      client: 'node:http agent',
      library: 'node:http',
      explains: 'A keep-alive Agent (maxSockets unlimited, 256 free sockets) keeps one socket per concurrent caller.',
      run: (ctx) => nodeHttpRun((agent, out) => concurrent(out, WORKERS, TOTAL, async () => {
        const res = await nodeRequest(ctx.server.url('/small'), { agent });
        await readAll(res);
        expectOk(res.statusCode ?? 0);
      })),
    },
    {
      client: 'undici Pool',
      library: 'undici',
      explains: 'A Pool without a connections limit dials whenever every connection is busy (a connection stays busy until its body is read, so more than 50 here) and keeps them all.',
      run: (ctx) => undiciRun(ctx, (pool, out) => concurrent(out, WORKERS, TOTAL, async () => {
        const res = await pool.request({ path: '/small', method: 'GET' });
        await res.body.dump();
        expectOk(res.statusCode);
      })),
    },
    {
      client: 'httpool',
      library: 'httpool',
      explains: 'The default maxIdleConnsPerHost (100) keeps a connection per concurrent caller, and every one is reused.',
      run: (ctx) => httpoolRun(ctx, {}, (client, out) => concurrent(out, WORKERS, TOTAL, async () => {
        const res = await client.get(ctx.server.url('/small'));
        await res.body.bytes();
        expectOk(res.statusCode);
      })),
    },
    {
      client: 'httpool (Go idle/host 2)',
      library: 'httpool',
      explains: "With Go's 2 idle slots per host, connections handed back while no caller waits close as idle-pool-full: the seed's TIME_WAIT pile-up, named in the stats.",
      run: (ctx) => httpoolRun(ctx, { maxIdleConnsPerHost: 2 }, (client, out) => concurrent(out, WORKERS, TOTAL, async () => {
        const res = await client.get(ctx.server.url('/small'));
        await res.body.bytes();
        expectOk(res.statusCode);
      })),
    },
  ],
};
