// Pattern 6 (seed 004): a new client for every call. When each client brings its own pool,
// nothing is reused and every call leaves one more idle connection behind.

import http from 'node:http';
import { expectOk, newOutcome, sequential, type Outcome } from '../outcome.js';
import { nodeRequest, readAll } from '../node-http.js';
import { fetchRun, type Pattern } from '../pattern.js';
import { N } from './sizes.js';

export const clientPerCall: Pattern = {
  id: '6 client per call',
  seed: '004',
  explains: 'Every call builds a new client; when each client brings its own pool nothing is ever reused and every call leaves one more idle connection behind.',
  runs: [
    {
      client: 'fetch (global dispatcher)',
      library: 'fetch',
      explains: 'fetch has no client to create: every call shares the global dispatcher and its connections.',
      run: (ctx) => fetchRun((out) => sequential(out, N, async () => {
        const res = await fetch(ctx.server.url('/small'));
        await res.arrayBuffer();
        expectOk(res.status);
      })),
    },
    {
      client: 'node:http Agent per call',
      library: 'node:http',
      explains: 'Each new Agent has its own pool: a connection per call, each left open until its Agent is destroyed.',
      run: async (ctx) => {
        const agents: http.Agent[] = [];
        const out: Outcome = {
          ...newOutcome(),
          release: async () => {
            for (const a of agents) a.destroy();
          },
        };
        await sequential(out, N, async () => {
          const agent = new http.Agent({ keepAlive: true });
          agents.push(agent);
          const res = await nodeRequest(ctx.server.url('/small'), { agent });
          await readAll(res);
          expectOk(res.statusCode ?? 0);
        });
        return out;
      },
    },
    {
      client: 'undici Pool per call',
      library: 'undici',
      explains: 'Each new Pool has its own connections: a connection per call, each left open until its Pool is closed.',
      run: async (ctx) => {
        const undici = await ctx.undici();
        const pools: InstanceType<typeof undici.Pool>[] = [];
        const out: Outcome = {
          ...newOutcome(),
          release: async () => {
            await Promise.all(pools.map((p) => p.destroy()));
          },
        };
        await sequential(out, N, async () => {
          const pool = new undici.Pool(ctx.server.url(''));
          pools.push(pool);
          const res = await pool.request({ path: '/small', method: 'GET' });
          await res.body.dump();
          expectOk(res.statusCode);
        });
        return out;
      },
    },
    {
      client: 'httpool new Client()',
      library: 'httpool',
      explains: 'A Client without its own transport shares the default Transport, so a client per call still reuses one connection.',
      run: async (ctx) => {
        const hp = await ctx.httpool();
        const out = newOutcome();
        await sequential(out, N, async () => {
          const client = new hp.Client(); // shares the default transport
          // The shared transport is only used by this row, so its close reasons are this row's.
          if (client.transport instanceof hp.Transport) out.transport = client.transport;
          const res = await client.get(ctx.server.url('/small'));
          await res.body.bytes();
          expectOk(res.statusCode);
        });
        return out;
      },
    },
  ],
};
