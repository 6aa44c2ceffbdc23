// Settings shared by the parser fuzzers (test/fuzz-*.test.ts): the run-count / seed / replay
// settings (HTTPOOL_FUZZ_RUNS, HTTPOOL_FUZZ_SEED, HTTPOOL_FUZZ_PATH), and the progress counter
// a watchdog reads to name the input of a parser that never returns.

import type fc from 'fast-check';

// ------------------------------------------------------------------ settings

/**
 * Runs for one property: `HTTPOOL_FUZZ_RUNS` × weight when set (weight scales the expensive
 * properties down), else the small default that keeps `npm test` quick.
 */
export function fuzzRuns(defaultRuns: number, weight = 1): number {
  const env = process.env.HTTPOOL_FUZZ_RUNS;
  if (env === undefined || env === '') return defaultRuns;
  const n = Number(env);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`HTTPOOL_FUZZ_RUNS must be a positive number, got ${JSON.stringify(env)}`);
  return Math.max(1, Math.round(n * weight));
}

/** The seed for this run: HTTPOOL_FUZZ_SEED, or a fresh one (printed on failure by fast-check). */
export function fuzzSeed(): number {
  const env = process.env.HTTPOOL_FUZZ_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n)) throw new Error(`HTTPOOL_FUZZ_SEED must be an integer, got ${JSON.stringify(env)}`);
    return n;
  }
  return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
}

/** fast-check parameters: runs, seed, and HTTPOOL_FUZZ_PATH to replay one counterexample. */
export function fcParams<T>(numRuns: number, seed: number): fc.Parameters<T> {
  const path = process.env.HTTPOOL_FUZZ_PATH;
  return { numRuns, seed, ...(path !== undefined && path !== '' ? { path } : {}) };
}

// ------------------------------------------------------------------ progress (watchdog)

/**
 * When set (in a fuzz worker), every case stores its wire bytes here and bumps a counter, so
 * the main thread can tell a hung parser from a slow one and print the input that hung it.
 * Layout: Int32 [0] counter, [1] length; bytes from offset 8.
 */
let progress: { ints: Int32Array; bytes: Uint8Array } | null = null;

export function setProgressBuffer(sab: SharedArrayBuffer | null): void {
  progress = sab === null ? null : { ints: new Int32Array(sab, 0, 2), bytes: new Uint8Array(sab, 8) };
}

export function noteCase(wire: Uint8Array): void {
  if (progress === null) return;
  const n = Math.min(wire.length, progress.bytes.length);
  progress.bytes.set(wire.subarray(0, n));
  Atomics.store(progress.ints, 1, n);
  Atomics.add(progress.ints, 0, 1);
}

export function readProgress(sab: SharedArrayBuffer): { count: number; wire: Buffer } {
  const ints = new Int32Array(sab, 0, 2);
  const n = Atomics.load(ints, 1);
  return { count: Atomics.load(ints, 0), wire: Buffer.from(new Uint8Array(sab, 8, n)) };
}
