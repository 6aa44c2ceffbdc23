// The load loop of a Node client's process (bench/client-process.ts): `concurrency` async workers, each sending requests one after
// another until the deadline (and never more than a fixed count), recording each request's
// latency from send to the last body byte. A response of the wrong length or over the wrong
// protocol counts as an error, not a data point. A run that does not finish shortly after its
// deadline is reported as hung instead of stalling the whole benchmark. bench/go/main.go is
// the same loop in Go, and returns the same RunResult.

import { performance } from 'node:perf_hooks';
import type { BenchClient, Protocol } from './clients.js';

export interface RunOptions {
  expectBytes: number;
  /** The protocol every response must have come over. */
  expectProtocol: Protocol;
  concurrency: number;
  durationMs: number;
}

export interface RunResult {
  requests: number;
  errors: number;
  bytes: number;
  elapsedMs: number;
  /** Latency percentiles of this run's successful requests; NaN when there were none. */
  p50Ms: number;
  p99Ms: number;
  /** Client CPU (user + system) over the run: the client's whole process, its GC and libuv
   * threads included (the server and the other clients run in other processes). */
  cpuMs: number;
  /** Every protocol a response came over, the wrong ones included. */
  protocols: Set<Protocol>;
  /** First error seen, or the hang, as text. */
  failure: string | null;
}

/** Bounds that keep every loop finite even against a client that answers instantly. */
const MAX_REQUESTS_PER_RUN = 5_000_000;
const MAX_ERRORS_PER_RUN = 50;
/** How long after the deadline the last in-flight requests may take before the run counts as hung. */
export const HANG_GRACE_MS = 15_000;

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

export async function drive(client: BenchClient, opts: RunOptions): Promise<RunResult> {
  let requests = 0;
  let errors = 0;
  let bytes = 0;
  let failure: string | null = null;
  const protocols = new Set<Protocol>();
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + opts.durationMs;
  let started = 0;

  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && started < MAX_REQUESTS_PER_RUN && errors < MAX_ERRORS_PER_RUN) {
      started++;
      const t0 = performance.now();
      try {
        const { bytes: n, protocol } = await client.call();
        protocols.add(protocol);
        if (protocol !== opts.expectProtocol) throw new Error(`response came over ${protocol}, expected ${opts.expectProtocol}`);
        if (n !== opts.expectBytes) throw new Error(`body was ${n} bytes, expected ${opts.expectBytes}`);
        latencies.push(performance.now() - t0);
        requests++;
        bytes += n;
      } catch (err) {
        errors++;
        failure ??= describe(err);
      }
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), opts.durationMs + HANG_GRACE_MS);
  });
  const workers = Promise.all(Array.from({ length: opts.concurrency }, worker)).then(() => 'done' as const);
  const outcome = await Promise.race([workers, hung]);
  clearTimeout(timer);
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  if (outcome === 'hung') {
    failure = `hung: requests still unfinished ${HANG_GRACE_MS} ms after the deadline` + (failure === null ? '' : `; first error: ${failure}`);
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests,
    errors,
    bytes,
    elapsedMs,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    cpuMs: (cpu.user + cpu.system) / 1000,
    protocols,
    failure,
  };
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
