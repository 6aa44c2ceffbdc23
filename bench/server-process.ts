// What the bench needs from a server, whichever it is (nginx, bench/nginx.ts; or the Node
// server child, bench/spawn.ts): where its listeners are, its counters, and a way to stop it.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type ServerKind = 'nginx' | 'node';

export interface ServerCounters {
  /** Connections accepted so far (all listeners). */
  connections: number;
  /** Requests seen so far (HTTP/1.1 heads, HTTP/2 streams). */
  requests: number;
}

/** Where each listener is; the TLS ones are null when the server was started without a certificate. */
export interface Origins {
  http: string;
  /**
   * Plain HTTP/1.1 from a server block with nginx's compiled-in `tcp_nopush off` (the main one
   * has `tcp_nopush on`, as Debian's shipped nginx.conf does). The Node server has no such
   * setting: there it is the plain listener.
   */
  httpNoPush: string;
  https: string | null;
  h2: string | null;
  /** HTTP/2 over TLS from a server advertising SETTINGS_MAX_CONCURRENT_STREAMS 128 (h2-c256). */
  h2Max128: string | null;
}

export type Listener = keyof Origins;

/** The server's key and certificate files, for its TLS listeners. */
export interface ServerTls {
  keyPath: string;
  certPath: string;
}

export interface ServerProcess {
  kind: ServerKind;
  /** e.g. "nginx/1.22.1 on CPU 0". */
  description: string;
  origins: Origins;
  counters(): Promise<ServerCounters>;
  /** CPU time (user + system) the server process has used so far, ms; NaN where /proc is not there. */
  cpuMs(): number;
  stop(): Promise<void>;
}

let ticksPerSecond: number | null = null;

/**
 * A process's CPU time so far from /proc/<pid>/stat (utime + stime, in clock ticks), ms. Shows
 * when the server, not the client, is what limits a row (a core at 100% serves no faster).
 */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'latin1' }).stdout.trim()) || 100;
    return ((Number(f[11]) + Number(f[12])) * 1000) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

/** Stops a child process: SIGTERM, then SIGKILL if it has not gone within 2 s. */
export async function stopChild(child: import('node:child_process').ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await gone;
  clearTimeout(timer);
}
