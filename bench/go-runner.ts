// Go's net/http client as a bench row: bench/go/main.go built with `go build` at run time (no
// external modules), then one process per scenario, pinned to the client CPU with
// GOMAXPROCS=1 ("Go on one core"), kept for the scenario's warm-up and rounds (its Transport
// keeps its connections across rounds, as the Node clients' do) and driven as every client
// process is (bench/child-runner.ts). Skipped with a reason when `go` is missing or the build
// fails.

import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { childRunner } from './child-runner.js';
import { onCleanup } from './cleanup.js';
import type { Target } from './clients.js';
import { onCpu } from './pin.js';
import type { Expect, Runner } from './runner.js';

const run = promisify(execFile);

export interface GoBinary {
  path: string;
  /** `go version` of the toolchain that built it, e.g. "go1.19.8". */
  version: string;
  remove(): void;
}

/** The source lives next to the TypeScript sources; tsc does not copy it, so it is read from bench/. */
const SOURCE = fileURLToPath(new URL('../../bench/go/main.go', import.meta.url));

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export async function buildGo(): Promise<GoBinary | { skipped: string }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'httpool-bench-go-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  // Go's caches live under HOME by default; a read-only HOME gets throw-away ones in the temp dir.
  const env = writable(os.homedir()) ? process.env : { ...process.env, GOCACHE: join(dir, 'cache'), GOPATH: join(dir, 'gopath') };
  // Ctrl-C during the build stops the compiler too.
  const abort = new AbortController();
  const unregister = onCleanup(() => abort.abort());
  try {
    const { stdout } = await run('go', ['version'], { env, signal: abort.signal });
    const version = /go\d+(\.\d+)*/.exec(stdout)?.[0] ?? stdout.trim();
    const path = join(dir, 'go-bench');
    await run('go', ['build', '-o', path, SOURCE], { env, cwd: dir, timeout: 180_000, signal: abort.signal });
    return { path, version, remove };
  } catch (err) {
    remove();
    const e = err as NodeJS.ErrnoException & { stderr?: unknown };
    if (e.code === 'ENOENT') return { skipped: 'go is not on PATH' };
    const detail = typeof e.stderr === 'string' && e.stderr.trim() !== '' ? e.stderr.trim() : e.message;
    return { skipped: `go build failed: ${detail}` };
  } finally {
    unregister();
  }
}

export async function goRunner(bin: GoBinary, target: Target, expect: Expect, cpu: number | null, caPath: string | null): Promise<Runner> {
  const flags = [
    '-url', target.origin + target.path,
    '-method', target.method,
    '-body-bytes', String(target.body?.length ?? 0),
    '-expect-bytes', String(expect.expectBytes),
    '-expect-proto', target.protocol,
    '-c', String(target.concurrency),
    ...(target.maxConns === undefined ? [] : ['-max-conns', String(target.maxConns)]),
    ...(caPath === null ? [] : ['-ca', caPath]),
    ...(target.protocol === 'HTTP/2.0' ? ['-h2'] : []),
  ];
  const [cmd, args] = onCpu(cpu, bin.path, flags);
  return childRunner('go', spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, GOMAXPROCS: '1' } }));
}
