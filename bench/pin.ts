// CPU pinning: the server on CPU 0, the clients on CPU 1, so a client's speed is not the
// server's loss (on a two-core machine unpinned processes trade cores and caches mid-run).
// The bench re-executes itself under `taskset -c 1` once at start (the memory figures' clients
// run in the bench process), and pins every child explicitly rather than by inheritance: the
// servers under `taskset -c 0`, each client process under `taskset -c 1` (Go's with GOMAXPROCS=1).
// Without taskset, or with fewer than two CPUs, or with --no-pin, nothing is pinned and the
// run says so.

import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';

const PINNED_ENV = 'HTTPOOL_BENCH_PINNED';
export const SERVER_CPU = 0;
export const CLIENT_CPU = 1;

function hasTaskset(): boolean {
  const r = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  return r.status === 0;
}

/** True when this process is the re-executed, pinned one. */
export function isPinned(): boolean {
  return process.env[PINNED_ENV] === '1';
}

export function canPin(): boolean {
  return os.cpus().length >= 2 && hasTaskset();
}

/** `cmd args` run on `cpu` (taskset execs the command: same pid, same stdio and IPC channel). */
export function onCpu(cpu: number | null, cmd: string, args: readonly string[]): [string, string[]] {
  return cpu === null ? [cmd, [...args]] : ['taskset', ['-c', String(cpu), cmd, ...args]];
}

/** The CPU for servers and for clients in this process: both null when unpinned. */
export function cpus(): { server: number | null; client: number | null } {
  return isPinned() ? { server: SERVER_CPU, client: CLIENT_CPU } : { server: null, client: null };
}

/**
 * Runs this same script again under `taskset -c 1`, waits for it, and resolves to its exit
 * code. Ctrl-C reaches the child through the terminal's process group; a SIGTERM sent to this
 * process alone is passed on, so the child can stop its servers either way.
 */
export function reexecPinned(): Promise<number> {
  const [cmd, args] = onCpu(CLIENT_CPU, process.execPath, [...process.execArgv, ...process.argv.slice(1)]);
  const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, [PINNED_ENV]: '1' } });
  const forward = (sig: NodeJS.Signals): void => {
    child.kill(sig);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === null ? 1 : 128 + (os.constants.signals[signal] ?? 0)));
    });
  });
}
