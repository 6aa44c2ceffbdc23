// Starting a real server program for a test: a temp directory for its config and logs, the
// program as this process's child (never a distro service), a wait until its ports accept,
// and a stop that ends it (and every process it forked: Apache's children, its CGI daemon)
// before the directory is removed. `.ci/run` installs the programs; a missing one fails the
// test under CI and is skipped loudly elsewhere, as test/support/peers.ts does for nginx.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export const SERVER_BINARIES = {
  apache2: '/usr/sbin/apache2',
  lighttpd: '/usr/sbin/lighttpd',
  caddy: '/usr/bin/caddy',
  h2o: '/usr/bin/h2o',
  haproxy: '/usr/sbin/haproxy',
  go: '/usr/bin/go',
  openssl: '/usr/bin/openssl',
} as const;

export type ServerProgram = keyof typeof SERVER_BINARIES;

/** The Debian packages that hold them, for the skip message. */
const PACKAGES = 'apache2 lighttpd caddy h2o haproxy golang-go openssl';

/** True when every program is installed; otherwise fails under CI, else skips loudly. */
export function haveServer(t: TestContext, ...names: ServerProgram[]): boolean {
  const missing = names.filter((n) => !existsSync(SERVER_BINARIES[n]));
  if (missing.length === 0) return true;
  const msg = `MISSING TEST PEER: ${missing.join(', ')} (apt-get install ${PACKAGES})`;
  if (process.env['CI']) throw new Error(msg);
  process.stderr.write(`\n*** ${msg}: skipping "${t.name}" ***\n`);
  t.skip(msg);
  return false;
}

/** True when running as root: Apache and h2o then need a User to drop to, and it must read the temp dir. */
export const AS_ROOT = process.getuid?.() === 0;

/** A temp directory for one server; world-readable so a server that drops root can read its files. */
export function serverDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `httpool-${name}-`));
  chmodSync(dir, 0o755);
  return dir;
}

export { freePort } from '../peers.js';

export interface Launched {
  dir: string;
  child: ChildProcess;
  /** What the program printed on stdout and stderr so far. */
  output(): string;
  /** Ends the program and everything it forked, then checks none is left; the directory stays for the logs. */
  stop(): Promise<void>;
  /** Removes the directory (after stop). */
  remove(): void;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Processes whose command line names `dir` (the server's own config path), other than ours. */
export function processesUsing(dir: string): string[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .filter((l) => l.includes(dir) && !l.includes('ps -eo'))
    .map((l) => l.trim());
}

export async function launch(
  bin: string,
  args: string[],
  dir: string,
  ports: number[],
  opts: { env?: NodeJS.ProcessEnv; logFiles?: string[]; stdin?: boolean } = {},
): Promise<Launched> {
  // A process group of its own, so stop() reaches whatever the server forked.
  const child = spawn(bin, args, {
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    cwd: dir,
    env: opts.env ?? process.env,
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const output = (): string => out;
  const log = (): string => out + (opts.logFiles ?? []).map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : '')).join('');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 3000);
      await exited;
      clearTimeout(timer);
    }
    child.stdin?.destroy();
    // Forked children (Apache's, its CGI daemon) leave after the parent: wait for them, bounded.
    const deadline = Date.now() + 3000;
    while (processesUsing(dir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const left = processesUsing(dir);
    if (left.length > 0) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      throw new Error(`server processes left after stop:\n${left.join('\n')}`);
    }
  };
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const deadline = Date.now() + 15_000;
  try {
    for (const port of ports) {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`${bin} exited (${child.exitCode}) before listening on ${port}:\n${log()}`);
        if (await accepts(port)) break;
        if (Date.now() > deadline) throw new Error(`${bin} did not listen on ${port} within 15 s:\n${log()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (err) {
    await stop().catch(() => {});
    remove();
    throw err;
  }
  return { dir, child, output, stop, remove };
}
