// A Go net/http server (go/main.go), built with `go build` at test time as the bench builds its
// Go client (bench/go-runner.ts): the standard library only, with GOCACHE and GOPATH in a temp
// directory and GOPROXY=off, so it builds offline and writes nothing under HOME. Built once per
// test process; each server is its own child process and exits when its stdin closes.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { certificates } from '../peers.js';
import { freePort, launch, serverDir, SERVER_BINARIES } from './launch.js';
import { postIds, type RealServer } from './server.js';

const run = promisify(execFile);

/** tsc does not copy the Go source: it is read from the source tree (build/test/support/real-servers → test/support/real-servers). */
const SOURCE = fileURLToPath(new URL('../../../../test/support/real-servers/go/main.go', import.meta.url));

let built: Promise<string> | null = null;

/** The server binary, built once per process into a temp directory removed at exit. */
export function goBinary(): Promise<string> {
  if (built !== null) return built;
  const dir = mkdtempSync(join(tmpdir(), 'httpool-go-build-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, GOCACHE: join(dir, 'cache'), GOPATH: join(dir, 'gopath'), GOPROXY: 'off', GOFLAGS: '', GOTOOLCHAIN: 'local' };
  // Go 1.19 assumes cgo even without a C compiler. Debian's toolchain ships the standard library
  // built with cgo, so with gcc the build only links (about 2 s); without it, cgo off (a rebuild
  // of net and its dependencies, about 15 s, but it works).
  if (!existsSync('/usr/bin/gcc')) env['CGO_ENABLED'] = '0';
  const out = join(dir, 'go-server');
  built = run(SERVER_BINARIES.go, ['build', '-o', out, SOURCE], { env, cwd: dir, timeout: 120_000 }).then(() => out);
  return built;
}

export interface GoServerOptions {
  /** Server.IdleTimeout, ms. */
  idleMs: number;
  /** Close an HTTP/1.1 connection after this many requests (0: never). */
  maxPerConn?: number;
  /** Serve TLS (h2 and http/1.1) too. */
  tls?: boolean;
}

export interface GoServer extends RealServer {
  /** host:port of the plain listener, for a proxy in front. */
  plainAddr: string;
}

export async function goServer(opts: GoServerOptions): Promise<GoServer> {
  const bin = await goBinary();
  const dir = serverDir('go');
  const http = await freePort();
  const https = opts.tls ? await freePort() : 0;
  const args = ['-addr', `127.0.0.1:${http}`, '-idle', `${opts.idleMs}ms`, '-max-per-conn', String(opts.maxPerConn ?? 0)];
  if (opts.tls) {
    const c = certificates();
    args.push('-tls-addr', `127.0.0.1:${https}`, '-cert', c.serverCert, '-key', c.serverKey);
  }
  // The config directory is named in the command line, so stop() can tell this server's process.
  args.push(`-tag=${dir}`);
  const p = await launch(bin, args, dir, opts.tls ? [http, https] : [http], { stdin: true });
  return {
    name: 'go',
    http: `http://127.0.0.1:${http}`,
    https: opts.tls ? `https://localhost:${https}` : null,
    plainAddr: `127.0.0.1:${http}`,
    idleMs: opts.idleMs,
    maxRequests: opts.maxPerConn ?? 0,
    getPath: '/hello',
    postPath: (id) => `/post?id=${id}`,
    postStatus: 200,
    async finish() {
      await p.stop();
      const ids = postIds(p.output(), /^POST (\S+)$/gm);
      p.remove();
      return ids;
    },
  };
}
