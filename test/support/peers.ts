// Real programs as test peers: nginx (TLS, HTTP/2, client certificates), tinyproxy (HTTP and
// CONNECT), dante (SOCKS5) and nghttpd, each started on a free loopback port with a config
// written to a temporary directory, and stopped by the test. Certificates are made at test time
// with the openssl command. `.ci/run` installs the packages; a peer that is missing fails the
// test under CI and is skipped loudly elsewhere.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

const BINARIES = {
  nginx: '/usr/sbin/nginx',
  tinyproxy: '/usr/bin/tinyproxy',
  danted: '/usr/sbin/danted',
  nghttpd: '/usr/sbin/nghttpd',
  openssl: '/usr/bin/openssl',
  curl: '/usr/bin/curl',
} as const;

export type PeerName = keyof typeof BINARIES | 'nginx-stream';

const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

/**
 * True when the program is installed. Otherwise: under CI the test fails (CI must have it);
 * elsewhere the test is skipped with a message that says what to install.
 */
export function havePeer(t: TestContext, ...names: PeerName[]): boolean {
  const missing = names.filter((n) => !existsSync(n === 'nginx-stream' ? STREAM_MODULE : BINARIES[n]));
  if (missing.length === 0) return true;
  const msg = `MISSING TEST PEER: ${missing.join(', ')} (apt-get install nginx libnginx-mod-stream tinyproxy dante-server nghttp2-server openssl curl)`;
  if (process.env['CI']) throw new Error(msg);
  process.stderr.write(`\n*** ${msg}: skipping "${t.name}" ***\n`);
  t.skip(msg);
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`peer exited (${child.exitCode}) before listening on ${port}:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`peer did not listen on ${port} within ${ms} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Peer {
  dir: string;
  stop(): Promise<void>;
}

async function startPeer(bin: string, args: string[], dir: string, ports: number[], logFile: string): Promise<Peer> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const log = (): string => out + (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const p of ports) await waitForPort(p, child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, stop };
}

// ---- certificates ----

export interface Certs {
  dir: string;
  ca: Buffer;
  serverCert: string;
  serverKey: string;
  clientCert: Buffer;
  clientKey: Buffer;
  /** A CA that signed nothing here: trusting only it must fail verification. */
  otherCa: Buffer;
}

let certs: Certs | null = null;

/** A CA, a server certificate for localhost/127.0.0.1/::1/test.httpool, and a client certificate. Made once per process. */
export function certificates(): Certs {
  if (certs !== null) return certs;
  const dir = mkdtempSync(join(tmpdir(), 'httpool-certs-'));
  const ssl = (...args: string[]): void => {
    execFileSync(BINARIES.openssl, args, { cwd: dir, stdio: 'pipe' });
  };
  const ca = (name: string): void => {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
  };
  const leaf = (name: string, cn: string, ext: string): void => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
  };
  ca('ca');
  ca('other-ca');
  leaf('server', 'localhost', 'subjectAltName=DNS:localhost,DNS:test.httpool,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'httpool-client', 'extendedKeyUsage=clientAuth\n');
  const read = (f: string): Buffer => readFileSync(join(dir, f));
  certs = {
    dir,
    ca: read('ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    otherCa: read('other-ca.crt'),
  };
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return certs;
}

// ---- nginx ----

export interface Nginx extends Peer {
  /** TLS with HTTP/2 and HTTP/1.1 (ALPN). */
  https: number;
  /** TLS, HTTP/1.1 only, client certificate required. */
  mtls: number;
  /** TLS 1.3 only. */
  tls13: number;
  /** Plain HTTP/1.1. */
  http: number;
  /** TLS with HTTP/2, and GOAWAY after every 3 requests on a connection (keepalive_requests 3). */
  goaway: number;
}

/** What a test adds to nginx(): more locations on every server, and files under the document root. */
export interface NginxOptions {
  /** nginx config text inserted into every server block (locations). */
  locations?: string;
  /** Files written under the document root (www/), by path relative to it. */
  files?: Record<string, Buffer>;
}

/**
 * Locations on every server: /hello → "hello", /echo-host → the Host it saw, /proto → the
 * protocol, /client → the client certificate's subject, /bytes/N → N bytes, /slow → 1 s wait.
 */
export async function nginx(opts: NginxOptions = {}): Promise<Nginx> {
  const c = certificates();
  const dir = mkdtempSync(join(tmpdir(), 'httpool-nginx-'));
  const [https, mtls, tls13, http, goaway] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const locations = `
    location = /hello { default_type text/plain; return 200 "hello"; }
    location = /echo-host { default_type text/plain; return 200 "$host"; }
    location = /proto { default_type text/plain; return 200 "$server_protocol"; }
    location = /client { default_type text/plain; return 200 "$ssl_client_s_dn"; }
    location = /session { default_type text/plain; return 200 "$ssl_session_reused"; }
    location = /sni { default_type text/plain; return 200 "$ssl_server_name"; }
    location = /cipher { default_type text/plain; return 200 "$ssl_protocol $ssl_cipher"; }
    location / { root ${dir}/www; }
    ${opts.locations ?? ''}
  `;
  const tls = `ssl_certificate ${c.serverCert}; ssl_certificate_key ${c.serverKey}; ssl_session_cache shared:S:1m; ssl_session_tickets on;`;
  const conf = `
daemon off; master_process off; worker_processes 1;
pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 10000;
  server { listen 127.0.0.1:${https} ssl http2; ${tls} ${locations} }
  server { listen 127.0.0.1:${mtls} ssl; ${tls} ssl_verify_client on; ssl_client_certificate ${c.dir}/ca.crt; ${locations} }
  server { listen 127.0.0.1:${tls13} ssl; ${tls} ssl_protocols TLSv1.3; ${locations} }
  server { listen 127.0.0.1:${http}; ${locations} }
  server { listen 127.0.0.1:${goaway} ssl http2; ${tls} keepalive_requests 3; ${locations} }
}`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  execFileSync('mkdir', ['-p', join(dir, 'www')]);
  writeFileSync(join(dir, 'www', 'big'), Buffer.alloc(1 << 20, 0x61));
  for (const [name, bytes] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, 'www', name), bytes);
  const peer = await startPeer(BINARIES.nginx, ['-p', dir, '-c', join(dir, 'nginx.conf')], dir, [https, mtls, tls13, http, goaway], join(dir, 'error.log'));
  return { ...peer, https, mtls, tls13, http, goaway };
}

/**
 * nginx's stream module as a TLS front for another local port: with tinyproxy behind it, a
 * real https:// proxy (TLS to the proxy, then HTTP or CONNECT inside).
 */
export async function tlsFront(backendPort: number): Promise<Peer & { port: number }> {
  const c = certificates();
  const dir = mkdtempSync(join(tmpdir(), 'httpool-tlsfront-'));
  const port = await freePort();
  const conf = `
load_module ${STREAM_MODULE};
daemon off; master_process off; worker_processes 1;
pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 512; }
stream {
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${c.serverCert}; ssl_certificate_key ${c.serverKey};
    proxy_pass 127.0.0.1:${backendPort};
  }
}`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const peer = await startPeer(BINARIES.nginx, ['-p', dir, '-c', join(dir, 'nginx.conf')], dir, [port], join(dir, 'error.log'));
  return { ...peer, port };
}

// ---- tinyproxy ----

export interface ProxyPeer extends Peer {
  port: number;
  url: string;
  /** The proxy's log, for asserting what it saw. */
  log(): string;
}

export async function tinyproxy(auth?: { user: string; pass: string }): Promise<ProxyPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'httpool-tinyproxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const conf = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 30',
    'MaxClients 200',
    'Allow 127.0.0.1',
    'DisableViaHeader Yes',
    'LogLevel Info',
    `LogFile "${logFile}"`,
    ...(auth ? [`BasicAuth ${auth.user} ${auth.pass}`] : []),
  ].join('\n');
  writeFileSync(join(dir, 'tinyproxy.conf'), conf + '\n');
  const peer = await startPeer(BINARIES.tinyproxy, ['-d', '-c', join(dir, 'tinyproxy.conf')], dir, [port], logFile);
  return { ...peer, port, url: `http://127.0.0.1:${port}`, log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') };
}

// ---- dante ----

/** The system account dante checks SOCKS5 username/password against (made by .ci/run, or here as root). */
export const SOCKS_USER = { user: 'httpool-socks', pass: 'sockpass' };

function ensureSocksUser(): void {
  try {
    execFileSync('id', [SOCKS_USER.user], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-M', '-s', '/usr/sbin/nologin', SOCKS_USER.user], { stdio: 'pipe' });
  }
  execFileSync('chpasswd', { input: `${SOCKS_USER.user}:${SOCKS_USER.pass}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
}

export async function dante(withAuth = false): Promise<ProxyPeer> {
  if (withAuth) ensureSocksUser();
  const dir = mkdtempSync(join(tmpdir(), 'httpool-dante-'));
  const port = await freePort();
  const logFile = join(dir, 'dante.log');
  const conf = `
logoutput: ${logFile}
internal: 127.0.0.1 port = ${port}
external: 127.0.0.1
socksmethod: ${withAuth ? 'username' : 'none'}
clientmethod: none
user.privileged: root
user.unprivileged: nobody
client pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
}
socks pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
  command: connect
  log: connect disconnect error
}
`;
  writeFileSync(join(dir, 'danted.conf'), conf);
  const peer = await startPeer(BINARIES.danted, ['-f', join(dir, 'danted.conf'), '-N', '1'], dir, [port], logFile);
  return { ...peer, port, url: `socks5://127.0.0.1:${port}`, log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') };
}

// ---- nghttpd ----

export interface H2Peer extends Peer {
  port: number;
  url: string;
}

export interface NghttpdOptions {
  tls: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS (-m). */
  maxStreams?: number;
  /** --echo-upload: a POST or PUT is answered with its own body. */
  echoUpload?: boolean;
  /** --trailer: these fields ("name: value") end every response that has a body. */
  trailers?: string[];
  /** More files under the document root, by name. */
  files?: Record<string, Buffer>;
  /** --padding: up to this many bytes of padding on each frame nghttpd sends (PADDED flag). */
  padding?: number;
}

/**
 * nghttpd serving /hello ("hello"), /big (1 MiB) and /huge (8 MiB) over TLS (h2 by ALPN) or, with `tls: false`,
 * as prior-knowledge h2c. `maxStreams` sets SETTINGS_MAX_CONCURRENT_STREAMS.
 */
export async function nghttpd(opts: NghttpdOptions): Promise<H2Peer> {
  const dir = mkdtempSync(join(tmpdir(), 'httpool-nghttpd-'));
  const port = await freePort();
  execFileSync('mkdir', ['-p', join(dir, 'www')]);
  writeFileSync(join(dir, 'www', 'hello'), 'hello');
  writeFileSync(join(dir, 'www', 'big'), Buffer.alloc(1 << 20, 0x62));
  // Larger than a stream's receive window (4 MiB, Go's): left unread, it holds its stream open.
  writeFileSync(join(dir, 'www', 'huge'), Buffer.alloc(8 << 20, 0x63));
  for (const [name, bytes] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, 'www', name), bytes);
  const args = ['-a', '127.0.0.1', '-d', join(dir, 'www')];
  if (opts.maxStreams !== undefined) args.push('-m', String(opts.maxStreams));
  if (opts.echoUpload === true) args.push('--echo-upload');
  for (const t of opts.trailers ?? []) args.push(`--trailer=${t}`);
  if (opts.padding !== undefined) args.push(`--padding=${opts.padding}`);
  if (opts.tls) {
    const c = certificates();
    args.push(String(port), c.serverKey, c.serverCert);
  } else {
    args.push('--no-tls', String(port));
  }
  const peer = await startPeer(BINARIES.nghttpd, args, dir, [port], join(dir, 'none.log'));
  return { ...peer, port, url: `${opts.tls ? 'https' : 'http'}://localhost:${port}` };
}
