// A bench row whose client lives in another process: Go's (bench/go-runner.ts) and each Node
// client's (bench/client-process.ts). One line protocol for both: "run <ms>" on the child's
// stdin, one JSON line with that run's figures on its stdout, EOF on stdin to end it.

import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ClientName, Target } from './clients.js';
import { onCleanup } from './cleanup.js';
import { HANG_GRACE_MS, type RunResult } from './measure.js';
import type { Runner } from './runner.js';
import { stopChild } from './server-process.js';

/** A run's figures as a child prints them: a percentile of no requests is -1, protocols a list. */
export type RunJson = Omit<RunResult, 'protocols'> & { protocols: string[] };

/** A Node client process's target (bench/client-process.ts argv[3]): the request body in base64. */
export interface TargetJson extends Omit<Target, 'body'> {
  body: string | null;
  expectBytes: number;
}

export function targetJson(target: Target, expectBytes: number): string {
  return JSON.stringify({ ...target, body: target.body === null ? null : target.body.toString('base64'), expectBytes } satisfies TargetJson);
}

export function toRunJson(r: RunResult): RunJson {
  const pct = (x: number): number => (Number.isNaN(x) ? -1 : x);
  return { ...r, p50Ms: pct(r.p50Ms), p99Ms: pct(r.p99Ms), protocols: [...r.protocols] };
}

function isRunJson(v: unknown): v is RunJson {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    ['requests', 'errors', 'bytes', 'elapsedMs', 'p50Ms', 'p99Ms', 'cpuMs'].every((k) => typeof o[k] === 'number') &&
    Array.isArray(o.protocols) &&
    (o.failure === null || typeof o.failure === 'string')
  );
}

function toRunResult(j: RunJson): RunResult {
  const pct = (x: number): number => (x < 0 ? Number.NaN : x);
  return { ...j, p50Ms: pct(j.p50Ms), p99Ms: pct(j.p99Ms), protocols: new Set(j.protocols) };
}

export function failedRun(failure: string): RunResult {
  return { requests: 0, errors: 0, bytes: 0, elapsedMs: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, cpuMs: 0, protocols: new Set(), failure };
}

/** Drives an already spawned child (stdio: pipe, pipe, pipe) as a Runner; stops it on cleanup. */
export function childRunner(name: ClientName, child: ChildProcess): Runner {
  const unregister = onCleanup(() => stopChild(child));
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string | null) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  child.once('exit', () => {
    for (const w of waiting.splice(0)) w(null);
  });
  const exitText = (): string => `${name} client process exited (code ${String(child.exitCode)}): ${stderr.trim()}`;
  return {
    name,
    async run(durationMs) {
      if (child.exitCode !== null || child.signalCode !== null) return failedRun(exitText());
      const line = new Promise<string | null | 'hung'>((resolve) => {
        // Longer than the child's own hang limit, so its report of a hung client comes first.
        const timer = setTimeout(() => resolve('hung'), durationMs + 2 * HANG_GRACE_MS);
        waiting.push((l) => {
          clearTimeout(timer);
          resolve(l);
        });
      });
      child.stdin!.write(`run ${Math.max(1, Math.round(durationMs))}\n`);
      const got = await line;
      if (got === 'hung') {
        await stopChild(child);
        return failedRun(`hung: the ${name} client process did not report ${2 * HANG_GRACE_MS} ms after the deadline`);
      }
      if (got === null) return failedRun(exitText());
      let parsed: unknown;
      try {
        parsed = JSON.parse(got);
      } catch {
        return failedRun(`${name} client process printed something else than JSON: ${got.slice(0, 200)}`);
      }
      return isRunJson(parsed) ? toRunResult(parsed) : failedRun(`${name} client process printed an unexpected JSON: ${got.slice(0, 200)}`);
    },
    async close() {
      unregister();
      // EOF on stdin is its signal to close its client and exit; stopChild is the fallback.
      child.stdin!.end();
      const gone = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      const timer = setTimeout(() => void stopChild(child), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
