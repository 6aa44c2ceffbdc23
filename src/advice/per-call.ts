// Seed 004, process-wide: a Transport made for each call and dropped. What Go users hit (an
// http.Transport built inside the request function) looks here like many Transports that each
// dial for their first request and are never heard of again: no connection of theirs is ever
// reused, and nobody closes them, so their idle sockets stay open until idleConnTimeout.
//
// Counted when a Transport opens its first connection ("born") and again when it shows it is
// not a per-call one ("settled": its first reuse, or close()). Births minus settlements over a
// sliding window of two buckets, process-wide, is the number of one-shot Transports lately; at
// tuning.perCallMin it is a finding. A Transport per tenant or per upstream is born once and
// soon settles; a Transport closed after its call was released on purpose, not dropped.
//
// Not a FinalizationRegistry: a dropped Transport's idle sockets keep it reachable until they
// close (90 s by default, or never with idleConnTimeout 0), so collection comes too late to
// name the habit, and whether it comes at all is up to the garbage collector.

import { hostLabel, int } from './format.js';
import { RecentFindings } from './recent.js';
import { tuning } from './tuning.js';
import type { PoolAdvice } from './types.js';

interface Bucket {
  at: number;
  born: number;
  settled: number;
}

let prev: Bucket = { at: -Infinity, born: 0, settled: 0 };
let cur: Bucket = { at: -Infinity, born: 0, settled: 0 };
/** Process-wide, one cause whatever the host: the habit is the program's, whichever Transport and host trip it. */
const recent = new RecentFindings();

function advance(now: number): void {
  const age = now - cur.at;
  if (age < tuning.bucketMs) return;
  prev = age >= 2 * tuning.bucketMs ? { at: now, born: 0, settled: 0 } : cur;
  cur = { at: now, born: 0, settled: 0 };
}

/** A Transport opened its first connection, to `key`: the finding when one-shot Transports have piled up, else null. */
export function transportBorn(key: string, now: number): PoolAdvice | null {
  advance(now);
  cur.born++;
  const born = prev.born + cur.born;
  const oneShot = born - prev.settled - cur.settled;
  if (oneShot < tuning.perCallMin) return null;
  const spanMs = Math.round(now - prev.at);
  return {
    code: 'HTTPOOL_TRANSPORT_PER_CALL',
    host: key,
    option: null,
    suggested: null,
    message: `${int(oneShot)} Transports were made that each dialed a new connection (the latest to ${hostLabel(key)}) and then neither reused it nor were closed: a Transport per call, so no connection is reused and each leaves its idle sockets open until idleConnTimeout. Make one Transport (or Client) and share it, or use the default client.`,
    figures: { spanMs, transports: born, oneShot },
  };
}

/** A Transport born earlier reused a connection or was closed. */
export function transportSettled(now: number): void {
  advance(now);
  cur.settled++;
}

/** Records a per-call finding process-wide; true when it should be warned now. */
export function notePerCall(advice: PoolAdvice, now: number): boolean {
  return recent.note(advice, now, tuning.repeatMs, advice.code);
}

/** Per-call findings seen lately, for every Transport's advice(). */
export function perCallFindings(now: number): PoolAdvice[] {
  return recent.list(now, tuning.repeatMs);
}

/** Tests only: forget every count and finding. */
export function resetPerCall(): void {
  prev = { at: -Infinity, born: 0, settled: 0 };
  cur = { at: -Infinity, born: 0, settled: 0 };
  recent.clear();
}
