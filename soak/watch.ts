// Resource sampling for the client process: open file descriptors and heap after a full
// collection, and the growth rule that tells a leak from noise (the middle of the run's last
// third against its first third, medians so one busy sample cannot decide).

import { readdirSync } from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export interface Sample {
  /** Seconds since traffic started. */
  t: number;
  fds: number;
  heapUsed: number;
  arrayBuffers: number;
}

/** A real gc(), with or without --expose-gc on the command line. */
export function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

export function fdCount(): number {
  // readdirSync holds one descriptor while it lists; every sample includes it alike.
  return readdirSync('/proc/self/fd').length;
}

export function sample(gc: () => void, t: number): Sample {
  gc();
  const m = process.memoryUsage();
  return { t, fds: fdCount(), heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Growth {
  first: number;
  last: number;
  /** Allowed: first + max(abs, first × rel). */
  limit: number;
  grew: boolean;
}

/**
 * Did `values` keep growing? Needs at least six samples (two per third); fewer cannot show a
 * trend and pass.
 */
export function growth(values: readonly number[], abs: number, rel: number): Growth {
  const third = Math.floor(values.length / 3);
  if (third < 2) return { first: values[0] ?? 0, last: values[values.length - 1] ?? 0, limit: Infinity, grew: false };
  const first = median(values.slice(0, third));
  const last = median(values.slice(values.length - third));
  const limit = first + Math.max(abs, first * rel);
  return { first, last, limit, grew: last > limit };
}

/** Polls until fds are back to `baseline` (closing sockets is asynchronous), up to `ms`. */
export async function fdsSettle(baseline: number, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let n = fdCount();
  while (n > baseline && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    n = fdCount();
  }
  return n;
}
