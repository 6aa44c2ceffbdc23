// The keep-alive race against a real server, the failure of seed 003/005: the server closes a
// kept-alive connection (its idle limit, its per-connection request limit, or, for Apache's
// event MPM, every idle one at once when its workers are busy) while the client picks that
// connection for its next request.
//
// Idle phase: a wave of parallel requests (GETs and POSTs alternating) leaves several
// connections idle; the next wave comes after a gap just below, at and just above the server's
// idle limit, so some waves find connections the server is closing at that moment.
// Limit phase: back-to-back requests on a few connections, well past the server's
// per-connection request limit (HTTP/1.1 `Connection: close`, HTTP/2 GOAWAY).
//
// Every loop is bounded by a count; the gaps bound the time.

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { Client, HttpoolError, Transport, type TransportOptions } from '../../../src/index.js';
import type { HostStats } from '../../../src/stats.js';
import { certificates } from '../peers.js';
import type { RealServer } from './server.js';

export interface RaceOptions {
  /** The origin to drive (server.http or server.https). */
  origin: string;
  /** Expected protocol of every response: 'HTTP/1.1' or 'HTTP/2.0'. */
  proto: string;
  /** Idle gaps between waves, ms. Default: the server's limit -100, ±0, +100. */
  gaps?: number[];
  /** Requests per wave. */
  wave?: number;
  /** Requests in the limit phase (0: skip it). */
  limitRequests?: number;
  transport?: TransportOptions;
}

export interface RaceResult {
  gets: number;
  getErrors: string[];
  /** Every POST id the client sent (attempted), in order. */
  postsSent: string[];
  /** POST ids the client got a response for. */
  postsAnswered: string[];
  /** POST ids that failed, with their error codes. */
  postErrors: Array<{ id: string; code: string; message: string }>;
  /** The host's stats after the run, before close. */
  stats: HostStats;
  /** Totals after transport.close(). */
  afterClose: HostStats;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let nextId = 0;

export async function keepAliveRace(server: RealServer, opts: RaceOptions): Promise<RaceResult> {
  const transport = new Transport({ tls: { ca: certificates().ca }, proxy: null, ...opts.transport });
  const client = new Client({ transport });
  const gaps = opts.gaps ?? [server.idleMs - 100, server.idleMs, server.idleMs + 100];
  const wave = opts.wave ?? 6;
  const result: RaceResult = { gets: 0, getErrors: [], postsSent: [], postsAnswered: [], postErrors: [], stats: null!, afterClose: null! };
  const tag = `${server.name}-${opts.proto === 'HTTP/2.0' ? 'h2' : 'h1'}-${process.pid}`;

  const one = async (i: number): Promise<void> => {
    if (i % 2 === 0) {
      result.gets++;
      try {
        const res = await client.get(opts.origin + server.getPath);
        const text = await res.body.text();
        if (res.statusCode !== 200 || res.proto !== opts.proto) result.getErrors.push(`GET: ${res.status} ${res.proto} ${text.slice(0, 40)}`);
      } catch (err) {
        result.getErrors.push(`GET: ${(err as Error).message}`);
      }
      return;
    }
    const id = `${tag}-${nextId++}`;
    result.postsSent.push(id);
    try {
      const res = await client.post(opts.origin + server.postPath(id), 'text/plain', `body of ${id}`);
      await res.body.text();
      assert.equal(res.statusCode, server.postStatus, `POST ${id}: ${res.status}`);
      assert.equal(res.proto, opts.proto);
      result.postsAnswered.push(id);
    } catch (err) {
      if (!(err instanceof HttpoolError)) throw err;
      result.postErrors.push({ id, code: err.code, message: err.message });
    }
  };

  try {
    // Warm up: the first wave opens the connections the gaps will age.
    await Promise.all(Array.from({ length: wave }, (_, i) => one(i)));
    for (const gap of gaps) {
      await sleep(gap);
      await Promise.all(Array.from({ length: wave }, (_, i) => one(i)));
    }
    // Back to back, two at a time, past the per-connection limit.
    const n = opts.limitRequests ?? 0;
    let i = 0;
    const worker = async (): Promise<void> => {
      while (i < n) await one(i++);
    };
    await Promise.all([worker(), worker()]);
    const key = Object.keys(transport.stats().hosts)[0]!;
    result.stats = transport.stats().hosts[key]!;
  } finally {
    transport.close();
  }
  // A dial still in flight (started for a request another connection then served) lands after
  // close() and is closed at once: wait for it, bounded.
  const deadline = Date.now() + 2000;
  while (transport.stats().totals.dialing > 0 && Date.now() < deadline) await sleep(10);
  result.afterClose = transport.stats().totals;
  return result;
}

/**
 * The assertions every server shares: no idempotent request failed, no POST reached the server
 * twice, every answered POST reached it exactly once, and the transport holds nothing after
 * close. Prints the figures as the test's diagnostics (docs/RELIABILITY.md quotes them).
 */
export function assertRace(t: TestContext, r: RaceResult, seen: string[]): void {
  const counts = new Map<string, number>();
  for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  const sent = new Set(r.postsSent);
  const closed = Object.entries(r.stats.closed).map(([k, v]) => `${k} ${v}`).join(', ');
  t.diagnostic(
    `GET ${r.gets} (errors ${r.getErrors.length}), POST ${r.postsSent.length} (failed ${r.postErrors.length}), ` +
      `connections opened ${r.stats.opened}, requests ${r.stats.requests}, reused ${r.stats.reused}; closed: ${closed}`,
  );
  for (const e of r.postErrors) t.diagnostic(`POST ${e.id} failed: ${e.code} ${e.message}`);
  assert.deepEqual(r.getErrors, [], 'no GET may fail');
  const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  assert.deepEqual(twice, [], 'no POST reached the server twice');
  for (const id of r.postsAnswered) assert.equal(counts.get(id), 1, `answered POST ${id} reached the server once`);
  for (const id of counts.keys()) assert.ok(sent.has(id), `the server saw POST ${id}, which this run did not send`);
  const a = r.afterClose;
  assert.deepEqual([a.active, a.idle, a.dialing, a.waiting], [0, 0, 0, 0], 'nothing open after close');
}

export interface Variant extends RaceOptions {
  /** Close reasons of which at least one must be counted: proof the server's closes were met. */
  expectClosed?: Array<keyof HostStats['closed']>;
}

/**
 * Runs the variants (HTTP/1.1 and HTTP/2, say) against one server at the same time, each on its
 * own Transport, then stops the server and checks each run against the POSTs the server saw.
 */
export async function raceServer(t: TestContext, server: RealServer, variants: Variant[]): Promise<RaceResult[]> {
  let results: PromiseSettledResult<RaceResult>[];
  let seen: string[];
  try {
    results = await Promise.allSettled(variants.map((v) => keepAliveRace(server, v)));
  } finally {
    seen = await server.finish();
  }
  const out: RaceResult[] = [];
  for (const [i, v] of variants.entries()) {
    const settled = results[i]!;
    if (settled.status === 'rejected') throw settled.reason;
    const r = settled.value;
    const mine = new Set(r.postsSent);
    t.diagnostic(`${server.name} ${v.proto} ${v.origin}`);
    assertRace(t, r, seen.filter((id) => mine.has(id)));
    if (v.expectClosed !== undefined) {
      const n = v.expectClosed.reduce((sum, k) => sum + (r.stats.closed[k] ?? 0), 0);
      assert.ok(n > 0, `${v.proto}: expected closes of ${v.expectClosed.join('/')}, got ${JSON.stringify(r.stats.closed)}`);
    }
    out.push(r);
  }
  const others = seen.filter((id) => !variants.some((_, i) => (results[i] as PromiseFulfilledResult<RaceResult>).value.postsSent.includes(id)));
  assert.deepEqual(others, [], 'the server saw only POSTs these runs sent');
  return out;
}
