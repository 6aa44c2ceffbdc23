// The seed incidents as runnable patterns. Each pattern is the same caller code written
// once against Node's global fetch (undici inside Node) and once against httpool, sometimes
// with a third row that shows the seed's own failing setup. Every loop is bounded by count.

import http from 'node:http';
import { attempt, concurrent, expectOk, newOutcome, sequential, sleep, type Outcome } from './outcome.js';
import { fetchRun, httpoolRun, uploadStream, type Pattern } from './pattern.js';

const N = 300;

const closedUnread: Pattern = {
  id: '1 closed unread',
  seed: '000/001',
  explains: 'The caller reads the status and closes a 16 KiB body unread; closing early throws the connection away, so every request dials a new one (RSTs, TIME_WAIT) while the service looks healthy.',
  runs: [
    {
      client: 'fetch',
      run: (ctx) => fetchRun((out) => sequential(out, N, async () => {
        const res = await fetch(ctx.server.url('/page'));
        expectOk(res.status);
        await res.body?.cancel();
      })),
    },
    {
      client: 'httpool',
      run: (ctx) => httpoolRun(ctx, {}, (client, out) => sequential(out, N, async () => {
        const res = await client.get(ctx.server.url('/page'));
        expectOk(res.statusCode);
        await res.body.close();
      })),
    },
  ],
};

const heartbeat = '{"beat":1}';
const neverClosed: Pattern = {
  id: '2 never closed',
  seed: '003',
  explains: 'A heartbeat POST whose 4 KiB response is checked and then dropped, never read nor closed; in Go each one pins its connection (CLOSE_WAIT once the server gives up) until file descriptors run out.',
  runs: [
    {
      client: 'fetch',
      run: (ctx) => fetchRun((out) => sequential(out, N, async () => {
        const res = await fetch(ctx.server.url('/heartbeat'), {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: heartbeat,
        });
        expectOk(res.status); // …and `res` is dropped
      })),
    },
    {
      client: 'httpool',
      run: (ctx) => httpoolRun(ctx, {}, (client, out) => sequential(out, N, async () => {
        const res = await client.post(ctx.server.url('/heartbeat'), 'application/json', heartbeat);
        expectOk(res.statusCode); // …and `res` is dropped
      })),
    },
  ],
};

/** N/2 pairs: a request, then the same request body again as a retry would send it. */
const PAIRS = N / 2;
const bodyReused: Pattern = {
  id: '3 request body reused',
  seed: '002a',
  explains: 'A request whose stream body was already consumed is sent again (a retry); Go wrote a short or empty body, the server failed it, and the connection was closed and redialled.',
  runs: [
    {
      client: 'fetch (same stream)',
      run: (ctx) => fetchRun(async (out) => {
        for (let i = 0; i < PAIRS; i++) {
          const body = uploadStream();
          for (let k = 0; k < 2; k++) {
            await attempt(out, async () => {
              const res = await fetch(ctx.server.url('/upload'), { method: 'POST', body, duplex: 'half' });
              await res.arrayBuffer();
              expectOk(res.status);
            });
          }
        }
      }),
    },
    {
      client: 'httpool (same stream)',
      run: (ctx) => httpoolRun(ctx, {}, async (client, out) => {
        for (let i = 0; i < PAIRS; i++) {
          const body = uploadStream();
          for (let k = 0; k < 2; k++) {
            await attempt(out, async () => {
              const res = await client.post(ctx.server.url('/upload'), 'application/octet-stream', body);
              await res.body.bytes();
              expectOk(res.statusCode);
            });
          }
        }
      }),
    },
    {
      client: 'httpool (() => stream)',
      run: (ctx) => httpoolRun(ctx, {}, async (client, out) => {
        for (let i = 0; i < PAIRS; i++) {
          // Go's GetBody: every send (and every retry) gets a fresh stream.
          const body = (): ReadableStream<Uint8Array> => uploadStream();
          for (let k = 0; k < 2; k++) {
            await attempt(out, async () => {
              const res = await client.post(ctx.server.url('/upload'), 'application/octet-stream', body);
              await res.body.bytes();
              expectOk(res.statusCode);
            });
          }
        }
      }),
    },
  ],
};

const WORKERS = 50;
const POOL_TOTAL = 1000;
const poolTooSmall: Pattern = {
  id: '4 pool too small',
  seed: '002b',
  explains: "50 concurrent callers share one host's pool; with Go's 2 idle slots per host every other connection was closed after use and redialled, piling up TIME_WAIT.",
  runs: [
    {
      client: 'fetch',
      run: (ctx) => fetchRun((out) => concurrent(out, WORKERS, POOL_TOTAL, async () => {
        const res = await fetch(ctx.server.url('/small'));
        await res.arrayBuffer();
        expectOk(res.status);
      })),
    },
    {
      client: 'httpool',
      run: (ctx) => httpoolRun(ctx, {}, (client, out) => concurrent(out, WORKERS, POOL_TOTAL, async () => {
        const res = await client.get(ctx.server.url('/small'));
        await res.body.bytes();
        expectOk(res.statusCode);
      })),
    },
    {
      client: 'httpool (Go idle/host 2)',
      run: (ctx) => httpoolRun(ctx, { maxIdleConnsPerHost: 2 }, (client, out) => concurrent(out, WORKERS, POOL_TOTAL, async () => {
        const res = await client.get(ctx.server.url('/small'));
        await res.body.bytes();
        expectOk(res.statusCode);
      })),
    },
  ],
};

const BURSTS = 10;
const BURST_SIZE = 10;
/** 320–400 ms, deterministic: always just past the server's 300 ms idle limit. */
const pauseMs = (burst: number): number => 320 + ((burst * 37) % 81);
async function bursts(out: Outcome, one: () => Promise<void>): Promise<void> {
  for (let b = 0; b < BURSTS; b++) {
    if (b > 0) await sleep(pauseMs(b));
    await Promise.all(Array.from({ length: BURST_SIZE }, () => attempt(out, one)));
  }
}
const serverClosesIdle: Pattern = {
  id: '5 server closes idle first',
  seed: '003',
  explains: 'The server silently closes connections idle for 300 ms while the client keeps them for 90 s; a client that reuses a connection the server already closed gets a reset instead of an answer.',
  server: { silentIdleCloseMs: 300 },
  runs: [
    {
      client: 'fetch',
      run: (ctx) => fetchRun((out) => bursts(out, async () => {
        const res = await fetch(ctx.server.url('/small'));
        await res.arrayBuffer();
        expectOk(res.status);
      })),
    },
    {
      client: 'httpool',
      run: (ctx) => httpoolRun(ctx, {}, (client, out) => bursts(out, async () => {
        const res = await client.get(ctx.server.url('/small'));
        await res.body.bytes();
        expectOk(res.statusCode);
      })),
    },
  ],
};

const clientPerCall: Pattern = {
  id: '6 client per call',
  seed: '004',
  explains: 'Every call builds a new client; when each client brings its own pool nothing is ever reused and every call leaves one more idle connection behind.',
  runs: [
    {
      client: 'fetch (global dispatcher)',
      run: (ctx) => fetchRun((out) => sequential(out, N, async () => {
        const res = await fetch(ctx.server.url('/small'));
        await res.arrayBuffer();
        expectOk(res.status);
      })),
    },
    {
      client: 'httpool new Client()',
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
    {
      client: 'node:http Agent per call',
      run: async (ctx) => {
        const agents: http.Agent[] = [];
        const out: Outcome = {
          ...newOutcome(),
          release: async () => {
            for (const a of agents) a.destroy();
          },
        };
        await sequential(out, N, () => new Promise<void>((resolve, reject) => {
          const agent = new http.Agent({ keepAlive: true });
          agents.push(agent);
          http.get(ctx.server.url('/small'), { agent }, (res) => {
            res.resume();
            res.on('end', () => {
              try {
                expectOk(res.statusCode ?? 0);
                resolve();
              } catch (err) {
                reject(err);
              }
            });
            res.on('error', reject);
          }).on('error', reject);
        }));
        return out;
      },
    },
  ],
};

export const PATTERNS: readonly Pattern[] = [
  closedUnread, neverClosed, bodyReused, poolTooSmall, serverClosesIdle, clientPerCall,
];
