// What a MiB over TLS costs a Node client, against the bench's nginx, pinned as the bench pins
// (`node build/bench/tls-mib-floor.js [seconds] [rounds]`): three ways of reading 1 MiB
// responses (/1mib), CPU per MiB of each, alternated round by round:
//   - floor: 8 raw `tls.connect` sockets over HTTP/1.1 keep-alive that only count octets (no
//     HTTP parsing, no pool): what Node's TLS read path itself costs, which no Node client goes below;
//   - h1: httpool over HTTP/1.1 and TLS, 8 connections;
//   - h2: httpool over HTTP/2, 8 streams on one session (the h2-1m row's shape).
// The h2-1m row's gap to Go is read against these (docs/BENCHMARKS.md, "HTTP/2 with httpool's
// own engine").

import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { makeCerts } from './certs.js';
import { installSignalCleanup } from './cleanup.js';
import { findNginx, startNginx } from './nginx.js';
import { canPin, cpus, isPinned, reexecPinned } from './pin.js';
import { Client, Transport } from '../src/index.js';

const CONCURRENCY = 8;
const MIB = 1 << 20;

/** One raw TLS connection fetching /1mib again and again, counting the body's octets only. */
function rawFetcher(port: number, ca: string): Promise<{ fetch(): Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    let done: (() => void) | null = null;
    let body = -1; // octets of the current body seen, -1 while in the head
    const request = `GET /1mib HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
    const s = tls.connect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['http/1.1'] });
    s.on('data', (chunk: Buffer) => {
      if (body < 0) {
        const end = chunk.indexOf('\r\n\r\n');
        if (end < 0) return;
        body = chunk.length - end - 4;
      } else body += chunk.length;
      if (body >= MIB) {
        body = -1;
        const d = done;
        done = null;
        d?.();
      }
    });
    s.once('error', reject);
    s.once('secureConnect', () =>
      resolve({
        fetch: () =>
          new Promise<void>((r) => {
            done = r;
            s.write(request);
          }),
        close: () => s.destroy(),
      }),
    );
  });
}

interface Way {
  name: string;
  run(seconds: number): Promise<{ mib: number; cpuUs: number }>;
  close(): Promise<void>;
}

async function measure(loop: (until: number) => Promise<number>, seconds: number): Promise<{ mib: number; cpuUs: number }> {
  const cpu0 = process.cpuUsage();
  const until = performance.now() + seconds * 1000;
  const counts = await Promise.all(Array.from({ length: CONCURRENCY }, () => loop(until)));
  const cpu = process.cpuUsage(cpu0);
  return { mib: counts.reduce((a, b) => a + b, 0), cpuUs: cpu.user + cpu.system };
}

async function floorWay(port: number, ca: string): Promise<Way> {
  const conns = await Promise.all(Array.from({ length: CONCURRENCY }, () => rawFetcher(port, ca)));
  let next = 0;
  return {
    name: 'floor (raw TLS, 8 conns)',
    run: (seconds) =>
      measure(async (until) => {
        const c = conns[next++ % CONCURRENCY]!;
        let n = 0;
        while (performance.now() < until) {
          await c.fetch();
          n++;
        }
        return n;
      }, seconds),
    close: async () => {
      for (const c of conns) c.close();
    },
  };
}

function httpoolWay(name: string, url: string, ca: string, h2: boolean): Way {
  const transport = new Transport({ tls: { ca }, proxy: null, forceAttemptHTTP2: h2, maxConnsPerHost: h2 ? 1 : CONCURRENCY, maxIdleConnsPerHost: CONCURRENCY });
  const client = new Client({ transport });
  return {
    name,
    run: (seconds) =>
      measure(async (until) => {
        let n = 0;
        while (performance.now() < until) {
          const res = await client.get(url);
          let got = 0;
          for await (const chunk of res.body) got += chunk.byteLength;
          if (got !== MIB || res.proto !== (h2 ? 'HTTP/2.0' : 'HTTP/1.1')) throw new Error(`${name}: ${got} octets over ${res.proto}`);
          n++;
        }
        return n;
      }, seconds),
    close: () => transport.close(),
  };
}

async function main(): Promise<void> {
  if (!isPinned() && canPin()) {
    process.exitCode = await reexecPinned();
    return;
  }
  installSignalCleanup();
  const seconds = Math.max(0.5, Number(process.argv[2] ?? 2));
  const rounds = Math.max(1, Math.min(20, Number(process.argv[3] ?? 3)));
  const bin = findNginx();
  if (bin === null) throw new Error('bench/tls-mib-floor needs nginx');
  const certs = await makeCerts();
  if ('skipped' in certs) throw new Error(`bench/tls-mib-floor needs certificates: ${certs.skipped}`);
  const server = await startNginx(bin, { keyPath: certs.keyPath, certPath: certs.certPath }, cpus().server);
  try {
    const https = server.origins.https!;
    const h2 = server.origins.h2!;
    const ways = [
      await floorWay(Number(new URL(https).port), certs.ca),
      httpoolWay('httpool HTTP/1.1 (8 conns)', `${https}/1mib`, certs.ca, false),
      httpoolWay('httpool HTTP/2 (8 streams, 1 session)', `${h2}/1mib`, certs.ca, true),
    ];
    for (const w of ways) await w.run(0.5); // warm-up: connections, JIT
    const perMib = new Map<string, number[]>(ways.map((w) => [w.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const w of ways) {
        const { mib, cpuUs } = await w.run(seconds);
        perMib.get(w.name)!.push(cpuUs / mib);
      }
    }
    for (const w of ways) {
      const xs = perMib.get(w.name)!.sort((a, b) => a - b);
      const median = xs[Math.floor(xs.length / 2)]!;
      console.log(`${w.name.padEnd(40)} CPU ${(median / 1000).toFixed(2)} ms per MiB (median of ${xs.length}; ${xs.map((x) => (x / 1000).toFixed(2)).join(', ')})`);
      await w.close();
    }
  } finally {
    await server.stop();
    certs.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
