// Go's net/http client as a bench row: bench/go/main.go built with `go build` at run time (no
// external modules), then one process per scenario, pinned to the client CPU with
// GOMAXPROCS=1 ("Go on one core"), kept for the scenario's warm-up and rounds (its Transport
// keeps its connections across rounds, as the Node clients' do) and driven over stdin/stdout:
// "run <ms>" in, one JSON RunResult line out. Skipped with a reason when `go` is missing or
// the build fails.

import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { onCleanup } from './cleanup.js';
import type { Target } from './clients.js';
import { HANG_GRACE_MS, type RunResult } from './measure.js';
import { onCpu } from './pin.js';
import type { Expect, Runner } from './runner.js';
import { stopChild } from './server-process.js';

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

interface GoJson {
  requests: number;
  errors: number;
  bytes: number;
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  cpuMs: number;
  protocols: string[];
  failure: string | null;
}

function isGoJson(v: unknown): v is GoJson {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    ['requests', 'errors', 'bytes', 'elapsedMs', 'p50Ms', 'p99Ms', 'cpuMs'].every((k) => typeof o[k] === 'number') &&
    Array.isArray(o.protocols) &&
    (o.failure === null || typeof o.failure === 'string')
  );
}

function toRunResult(j: GoJson): RunResult {
  // Go prints -1 for a percentile of no requests.
  const pct = (x: number): number => (x < 0 ? Number.NaN : x);
  return { ...j, p50Ms: pct(j.p50Ms), p99Ms: pct(j.p99Ms), protocols: new Set(j.protocols) };
}

function failed(failure: string): RunResult {
  return { requests: 0, errors: 0, bytes: 0, elapsedMs: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, cpuMs: 0, protocols: new Set(), failure };
}

export async function goRunner(bin: GoBinary, target: Target, expect: Expect, cpu: number | null, caPath: string | null): Promise<Runner> {
  const flags = [
    '-url', target.origin + target.path,
    '-method', target.method,
    '-body-bytes', String(target.body?.length ?? 0),
    '-expect-bytes', String(expect.expectBytes),
    '-expect-proto', target.protocol,
    '-c', String(target.concurrency),
    ...(caPath === null ? [] : ['-ca', caPath]),
    ...(target.protocol === 'HTTP/2.0' ? ['-h2'] : []),
  ];
  const [cmd, args] = onCpu(cpu, bin.path, flags);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, GOMAXPROCS: '1' } });
  const unregister = onCleanup(() => stopChild(child));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string | null) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  child.once('exit', () => {
    for (const w of waiting.splice(0)) w(null);
  });
  const exitText = (): string => `go client exited (code ${String(child.exitCode)}): ${stderr.trim()}`;
  return {
    name: 'go',
    async run(durationMs) {
      if (child.exitCode !== null || child.signalCode !== null) return failed(exitText());
      const line = new Promise<string | null | 'hung'>((resolve) => {
        const timer = setTimeout(() => resolve('hung'), durationMs + HANG_GRACE_MS);
        waiting.push((l) => {
          clearTimeout(timer);
          resolve(l);
        });
      });
      child.stdin.write(`run ${Math.max(1, Math.round(durationMs))}\n`);
      const got = await line;
      if (got === 'hung') {
        await stopChild(child);
        return failed(`hung: the Go client did not report ${HANG_GRACE_MS} ms after the deadline`);
      }
      if (got === null) return failed(exitText());
      let parsed: unknown;
      try {
        parsed = JSON.parse(got);
      } catch {
        return failed(`go client printed something else than JSON: ${got.slice(0, 200)}`);
      }
      return isGoJson(parsed) ? toRunResult(parsed) : failed(`go client printed an unexpected JSON: ${got.slice(0, 200)}`);
    },
    async close() {
      unregister();
      // EOF on stdin is its signal to exit; stopChild is the fallback after it.
      child.stdin.end();
      const gone = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      const timer = setTimeout(() => void stopChild(child), 2_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
