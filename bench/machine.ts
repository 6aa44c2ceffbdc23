// What the numbers were measured on and with: they mean little without the machine, the
// versions, the server and the pinning, so every run prints these above the table.

import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';

export interface Machine {
  date: string;
  commit: string;
  cpu: string;
  cpus: number;
  kernel: string;
  node: string;
  undici: string;
  /** The undici bundled in Node, which its global fetch uses. */
  nodeUndici: string;
  axios: string;
  got: string;
  go: string | null;
  server: string;
  pinning: string;
}

function pkgVersion(name: string): string {
  try {
    const req = createRequire(import.meta.url);
    const pkg = req(`${name}/package.json`) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '?';
  } catch {
    // got and undici do not export package.json; read it from its install dir instead.
    try {
      const req = createRequire(import.meta.url);
      const main = req.resolve(name);
      const dir = main.slice(0, main.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}/`.length);
      const pkg = req(`${dir}package.json`) as { version?: unknown };
      return typeof pkg.version === 'string' ? pkg.version : '?';
    } catch {
      return '?';
    }
  }
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function commit(): string {
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head === '') return 'unknown';
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  return `${head}${dirty ? ' (with uncommitted changes)' : ''}`;
}

export function describeMachine(server: string, go: string | null, pinning: string): Machine {
  return {
    date: new Date().toISOString(),
    commit: commit(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    undici: pkgVersion('undici'),
    nodeUndici: process.versions.undici ?? '?',
    axios: pkgVersion('axios'),
    got: pkgVersion('got'),
    go,
    server,
    pinning,
  };
}

export function machineLines(m: Machine): string[] {
  return [
    `date ${m.date}, commit ${m.commit}`,
    `${m.cpus} x ${m.cpu}, ${m.kernel}`,
    `node ${m.node} (fetch: bundled undici ${m.nodeUndici}), undici ${m.undici}, axios ${m.axios}, got ${m.got}, ${m.go ?? 'no go'}`,
    `server: ${m.server}; ${m.pinning}`,
  ];
}
