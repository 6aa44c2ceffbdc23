// The least a Node client can do per request, as a yardstick for httpool's own cost
// (`node build/bench/floor.js [concurrency] [seconds]`): one connection per worker, a constant
// request string, reads through `onread` into one buffer, only the head's end and Content-Length
// looked for, no validation, no pool, no timeouts. Against the bench's nginx, pinned as the bench
// pins. Not a usable client: a measure of what Node itself costs (the event loop, the socket
// write and read), which no client on Node can go below.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { installSignalCleanup } from './cleanup.js';
import { findNginx, startNginx } from './nginx.js';
import { canPin, cpus, isPinned, reexecPinned } from './pin.js';

const MAX_REQUESTS = 50_000_000;

interface FloorConn {
  ready: Promise<void>;
  request(): Promise<void>;
  socket: net.Socket;
}

function connect(port: number, request: string, shared: Buffer): FloorConn {
  let done: (() => void) | null = null;
  let need = -1;
  let got = 0;
  const socket = net.connect({
    host: '127.0.0.1',
    port,
    onread: {
      buffer: shared,
      callback: (n: number, buf: Uint8Array) => {
        const b = buf as Buffer;
        if (need < 0) {
          const end = b.indexOf('\r\n\r\n');
          const at = b.indexOf('Content-Length: ') + 16;
          let v = 0;
          for (let j = at; b[j]! >= 48 && b[j]! <= 57; j++) v = v * 10 + b[j]! - 48;
          need = v;
          got = n - (end + 4);
        } else {
          got += n;
        }
        if (got >= need) {
          need = -1;
          const d = done;
          done = null;
          d?.();
        }
        return true;
      },
    },
  });
  socket.setNoDelay(true);
  return {
    ready: new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject)),
    request: () =>
      new Promise<void>((resolve) => {
        done = resolve;
        socket.write(request, 'latin1');
      }),
    socket,
  };
}

async function main(): Promise<void> {
  if (!isPinned() && canPin()) {
    process.exitCode = await reexecPinned();
    return;
  }
  installSignalCleanup();
  const concurrency = Math.max(1, Number(process.argv[2] ?? 50));
  const seconds = Math.max(0.5, Number(process.argv[3] ?? 3));
  const bin = findNginx();
  if (bin === null) throw new Error('bench/floor needs nginx');
  const server = await startNginx(bin, null, cpus().server);
  try {
    const port = Number(new URL(server.origins.http).port);
    const request = `GET /small HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: floor\r\n\r\n`;
    const shared = Buffer.allocUnsafeSlow(16 * 1024);
    const conns = Array.from({ length: concurrency }, () => connect(port, request, shared));
    await Promise.all(conns.map((c) => c.ready));
    for (const c of conns) for (let i = 0; i < 100; i++) await c.request();
    const end = performance.now() + seconds * 1000;
    let requests = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      conns.map(async (c) => {
        while (performance.now() < end && requests < MAX_REQUESTS) {
          await c.request();
          requests++;
        }
      }),
    );
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `floor c${concurrency}: ${((requests * 1000) / elapsed).toFixed(0)} req/s, CPU ${((cpu.user + cpu.system) / requests).toFixed(1)} us/req ` +
        `(user ${(cpu.user / requests).toFixed(1)}, system ${(cpu.system / requests).toFixed(1)})`,
    );
    for (const c of conns) c.socket.destroy();
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
