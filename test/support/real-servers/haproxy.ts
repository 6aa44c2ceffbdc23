// HAProxy in front of the Go server (go-server.ts): HTTP/1.1 on one port, TLS with HTTP/2 on
// another, a short client-side idle limit (timeout http-keep-alive for HTTP/1.1, timeout client
// for an idle HTTP/2 connection), an optional per-connection request limit for HTTP/1.1
// clients, and reused server-side connections (http-reuse safe). The Go
// backend prints every POST it gets, so a POST that HAProxy or the client sent twice shows twice.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificates } from '../peers.js';
import { goServer } from './go-server.js';
import { freePort, launch, serverDir, SERVER_BINARIES } from './launch.js';
import type { RealServer } from './server.js';

export async function haproxy(opts: { idleMs: number; maxRequests?: number; backendIdleMs?: number; backendMaxPerConn?: number }): Promise<RealServer> {
  const c = certificates();
  const backend = await goServer({ idleMs: opts.backendIdleMs ?? 10_000, maxPerConn: opts.backendMaxPerConn ?? 0 });
  const dir = serverDir('haproxy');
  const [http, https] = [await freePort(), await freePort()];
  // HAProxy wants the certificate and key in one PEM.
  const pem = join(dir, 'server.pem');
  writeFileSync(pem, readFileSync(c.serverCert, 'utf8') + readFileSync(c.serverKey, 'utf8'));
  const conf = `
global
  maxconn 256
  pidfile ${dir}/haproxy.pid
defaults
  mode http
  timeout connect 2s
  timeout client ${opts.idleMs}ms
  timeout server 10s
  timeout http-request 5s
  timeout http-keep-alive ${opts.idleMs}ms
frontend fe
  bind 127.0.0.1:${http}
  bind 127.0.0.1:${https} ssl crt ${pem} alpn h2,http/1.1
  # A per-connection request limit (HAProxy has no keepalive_requests): a counter in the
  # session, which is the client's connection, and Connection: close on its Nth response.
  http-request set-var(sess.requests) var(sess.requests,0),add(1)
  http-after-response set-header Connection close if { var(sess.requests) -m int ge ${opts.maxRequests ?? 0} } { int(${opts.maxRequests ?? 0}) -m int gt 0 }
  default_backend be
backend be
  http-reuse safe
  server go ${backend.plainAddr}
`;
  const confFile = join(dir, 'haproxy.cfg');
  writeFileSync(confFile, conf);
  let p;
  try {
    p = await launch(SERVER_BINARIES.haproxy, ['-db', '-f', confFile], dir, [http, https]);
  } catch (err) {
    await backend.finish();
    throw err;
  }
  const proxy = p;
  return {
    name: 'haproxy',
    http: `http://127.0.0.1:${http}`,
    https: `https://localhost:${https}`,
    idleMs: opts.idleMs,
    maxRequests: opts.maxRequests ?? 0,
    getPath: '/hello',
    postPath: backend.postPath,
    postStatus: 200,
    async finish() {
      await proxy.stop();
      proxy.remove();
      return backend.finish();
    },
  };
}
