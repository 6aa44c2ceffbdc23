// `node build/bench/h2-sessions.js [seconds]`: how many HTTP/2 sessions httpool opens and keeps
// in the shapes of the h2 rows (h2-c50, h2-1m, h2-c256), read from its own Transport.stats()
// against the bench's nginx (the rows' `conns` column is the server's count of connections
// accepted, which includes a cold burst's surplus dials). Sampled every 20 ms while the load
// runs; bounded in time and in requests. Not part of `npm run bench`; unpinned.

import { makeCerts } from './certs.js';
import { findNginx, startNginx } from './nginx.js';
import { MIB_BODY, SMALL_BODY } from './bodies.js';
import type { ServerProcess } from './server-process.js';

const MAX_REQUESTS = 1_000_000;

interface Shape {
  id: string;
  listener: 'h2' | 'h2Max128';
  path: string;
  bytes: number;
  concurrency: number;
  maxConnsPerHost: number;
}

const SHAPES: readonly Shape[] = [
  { id: 'h2-c50', listener: 'h2', path: '/small', bytes: SMALL_BODY.length, concurrency: 50, maxConnsPerHost: 50 },
  { id: 'h2-1m', listener: 'h2', path: '/1mib', bytes: MIB_BODY.length, concurrency: 8, maxConnsPerHost: 1 },
  { id: 'h2-c256', listener: 'h2Max128', path: '/small', bytes: SMALL_BODY.length, concurrency: 256, maxConnsPerHost: 256 },
];

async function one(server: ServerProcess, ca: string, sh: Shape, ms: number): Promise<string> {
  const hp = await import('../src/index.js');
  const origin = server.origins[sh.listener];
  if (origin === null) throw new Error(`no ${sh.listener} listener`);
  const t = new hp.Transport({ tls: { ca }, maxConnsPerHost: sh.maxConnsPerHost, maxIdleConns: Math.max(sh.concurrency, 100), maxIdleConnsPerHost: sh.concurrency });
  const c = new hp.Client({ transport: t, timeout: 30_000 });
  const conns0 = (await server.counters()).connections;
  let n = 0;
  let maxOpen = 0;
  const sample = setInterval(() => {
    const s = t.stats().totals;
    maxOpen = Math.max(maxOpen, s.active + s.idle);
  }, 20);
  const end = Date.now() + ms;
  try {
    await Promise.all(
      Array.from({ length: sh.concurrency }, async () => {
        while (Date.now() < end && n < MAX_REQUESTS) {
          const res = await c.get(origin + sh.path);
          let got = 0;
          for await (const chunk of res.body) got += chunk.byteLength;
          if (res.statusCode !== 200 || res.proto !== 'HTTP/2.0' || got !== sh.bytes) throw new Error(`${sh.id}: status ${res.statusCode}, ${res.proto}, ${got} bytes`);
          n++;
        }
      }),
    );
  } finally {
    clearInterval(sample);
  }
  const s = t.stats().totals;
  const conns = (await server.counters()).connections - conns0;
  await t.close();
  return `${sh.id.padEnd(8)} ${String(n).padStart(7)} requests; httpool stats: opened ${s.opened}, open at the end ${s.active + s.idle}, most open at a 20 ms sample ${maxOpen}, closed ${JSON.stringify(s.closed)}; server accepted ${conns}`;
}

async function main(): Promise<void> {
  const seconds = Math.min(Math.max(Number(process.argv[2] ?? 3) || 3, 0.5), 60);
  const bin = findNginx();
  if (bin === null) throw new Error('nginx is not installed');
  const certs = await makeCerts();
  if ('skipped' in certs) throw new Error(certs.skipped);
  const server = await startNginx(bin, certs, null);
  try {
    for (const sh of SHAPES) console.log(await one(server, certs.ca, sh, seconds * 1000));
  } finally {
    await server.stop();
    certs.remove();
  }
}

main().then(
  () => setTimeout(() => process.exit(0), 3_000).unref(),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 3_000).unref();
  },
);
