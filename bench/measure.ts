// The load loop: `concurrency` async workers, each sending requests one after another until
// the deadline (and never more than a fixed count), recording each request's latency from
// send to the last body byte. A response of the wrong length or over the wrong protocol
// counts as an error, not a data point. A run that does not finish shortly after its deadline is
// reported as hung instead of stalling the whole benchmark.

import { performance } from 'node:perf_hooks';
import type { BenchClient, Protocol } from './clients.js';

export interface RunOptions {
  path: string;
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
  latenciesMs: number[];
  /** Every protocol a response came over, the wrong ones included. */
  protocols: Set<Protocol>;
  /** First error seen, or the hang, as text. */
  failure: string | null;
}

/** Bounds that keep every loop finite even against a client that answers instantly. */
const MAX_REQUESTS_PER_RUN = 5_000_000;
const MAX_ERRORS_PER_RUN = 50;
/** How long after the deadline the last in-flight requests may take before the run counts as hung. */
const HANG_GRACE_MS = 15_000;

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

export async function drive(client: BenchClient, opts: RunOptions): Promise<RunResult> {
  const result: RunResult = { requests: 0, errors: 0, bytes: 0, elapsedMs: 0, latenciesMs: [], protocols: new Set(), failure: null };
  const start = performance.now();
  const deadline = start + opts.durationMs;
  let started = 0;

  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && started < MAX_REQUESTS_PER_RUN && result.errors < MAX_ERRORS_PER_RUN) {
      started++;
      const t0 = performance.now();
      try {
        const { bytes: n, protocol } = await client.get(opts.path);
        result.protocols.add(protocol);
        if (protocol !== opts.expectProtocol) throw new Error(`response came over ${protocol}, expected ${opts.expectProtocol}`);
        if (n !== opts.expectBytes) throw new Error(`body was ${n} bytes, expected ${opts.expectBytes}`);
        result.latenciesMs.push(performance.now() - t0);
        result.requests++;
        result.bytes += n;
      } catch (err) {
        result.errors++;
        result.failure ??= describe(err);
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
  result.elapsedMs = performance.now() - start;
  if (outcome === 'hung') {
    result.failure = `hung: requests still unfinished ${HANG_GRACE_MS} ms after the deadline` +
      (result.failure === null ? '' : `; first error: ${result.failure}`);
  }
  return result;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function sortedLatencies(runs: readonly RunResult[]): Float64Array {
  const total = runs.reduce((n, r) => n + r.latenciesMs.length, 0);
  const all = new Float64Array(total);
  let at = 0;
  for (const r of runs) {
    all.set(r.latenciesMs, at);
    at += r.latenciesMs.length;
  }
  return all.sort();
}
