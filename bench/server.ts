// The benchmark's Node server (the fallback when nginx is absent, and always the server of the
// memory measurements, for its /slow path), run in its own process (started by bench/spawn.ts) so its work does
// not share an event loop with the clients being measured. Listeners, all on 127.0.0.1:
//   - plain HTTP/1.1 (always), a raw `net` server (bench/h1-handler.ts);
//   - HTTP/1.1 over TLS, the same raw handler behind tls.createServer, ALPN http/1.1 only;
//   - HTTP/2 over TLS, node:http2 with allowHTTP1 false (bench/h2-handler.ts);
//   - the same, advertising SETTINGS_MAX_CONCURRENT_STREAMS 128 (the h2-c256 row);
//   - with `--h2-idle-ports N`, N more such HTTP/2 listeners (the memory figure per idle
//     HTTP/2 session: one session to each, as one host each).
// The TLS ones start only when the parent passes `--tls-key FILE --tls-cert FILE`.
//
// IPC protocol (parent ⇄ child): the child sends { type: 'listening', port, tlsPort, h2Port,
// h2Max128Port, h2IdlePorts } once (the TLS ports null, and h2IdlePorts empty, without a
// certificate); the parent may send { type: 'stats' } and
// gets { type: 'stats', connections, requests, parked } back, totals over all listeners.

import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { counters } from './counters.js';
import { serveHttp1 } from './h1-handler.js';
import { createHttp2Server } from './h2-handler.js';

const MAX_IDLE_PORTS = 1_000;

function flag(name: string): string | null {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? null) : null;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (addr === null || typeof addr === 'string') reject(new Error('server: no TCP address'));
      else resolve(addr.port);
    });
  });
}

async function main(): Promise<void> {
  const port = await listen(net.createServer({ noDelay: true }, serveHttp1));
  let tlsPort: number | null = null;
  let h2Port: number | null = null;
  let h2Max128Port: number | null = null;
  const h2IdlePorts: number[] = [];
  const keyPath = flag('--tls-key');
  const certPath = flag('--tls-cert');
  if (keyPath !== null && certPath !== null) {
    const key = readFileSync(keyPath);
    const cert = readFileSync(certPath);
    // ALPN http/1.1 only: a client offering h2 here still gets HTTP/1.1, as the row intends.
    tlsPort = await listen(tls.createServer({ key, cert, noDelay: true, ALPNProtocols: ['http/1.1'] }, serveHttp1));
    h2Port = await listen(createHttp2Server(key, cert));
    h2Max128Port = await listen(createHttp2Server(key, cert, 128));
    const idle = Math.min(Math.max(Math.floor(Number(flag('--h2-idle-ports') ?? 0)), 0), MAX_IDLE_PORTS);
    for (let i = 0; i < idle; i++) h2IdlePorts.push(await listen(createHttp2Server(key, cert)));
  }
  process.send?.({ type: 'listening', port, tlsPort, h2Port, h2Max128Port, h2IdlePorts });
}

process.on('message', (msg: unknown) => {
  if (typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'stats') {
    process.send?.({ type: 'stats', ...counters });
  }
});

// The parent going away (crash, kill, normal end) must never leave this process behind.
process.on('disconnect', () => process.exit(0));

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
