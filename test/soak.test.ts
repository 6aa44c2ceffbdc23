// The soak (npm run soak) in short: first its judges on their own, each shown to catch what it
// exists to catch (a flipped byte, another request's answer, an error the server did not
// cause, an idempotent request lost to the idle race, steady growth), then a few seconds of
// the real thing against the faulty server child, which must pass every check.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Headers } from '../src/index.js';
import { checkBody, checkHead, checkPrefix } from '../soak/checks.js';
import { planFor, type Kind, type Plan } from '../soak/plan.js';
import { SALT, checksum, payload } from '../soak/prng.js';
import { FAULTS, H, type ConnEnd, type SeenRecord } from '../soak/protocol.js';
import { DEFAULT_OPTIONS, runSoak } from '../soak/run.js';
import { judge, type Failure } from '../soak/verify.js';
import { growth } from '../soak/watch.js';

const SEED = 7;

function plan(kind: Kind, size = 1000): Plan {
  return { id: 42, kind, read: 'bytes', size, reqSize: 0, pauseMs: 0 };
}

function headersFor(p: Plan, body: Buffer): Headers {
  return new Headers({ [H.id]: String(p.id), [H.len]: String(p.size), [H.sum]: checksum(body) });
}

test('soak checks: the exact body passes; a flipped byte, a short body or a wrong checksum header is caught', () => {
  const p = plan('GET', 5000);
  const body = payload(SEED, p.id, SALT.response, p.size);
  assert.equal(checkBody(SEED, p, body, headersFor(p, body)), null);
  const flipped = Buffer.from(body);
  flipped[4321]! ^= 0x01;
  assert.match(checkBody(SEED, p, flipped, headersFor(p, body)) ?? '', /byte 4321/);
  assert.match(checkBody(SEED, p, body.subarray(0, 4999), headersFor(p, body)) ?? '', /4999 bytes, expected 5000/);
  assert.match(checkBody(SEED, p, body, headersFor(p, Buffer.from('x'))) ?? '', /checksum/);
  // Another request's bytes of the same length are caught too.
  const other = payload(SEED, p.id + 1, SALT.response, p.size);
  assert.notEqual(checkBody(SEED, p, other, headersFor(p, other)), null);
  assert.match(checkPrefix(SEED, p, flipped.subarray(0, 5000)) ?? '', /byte 4321/);
  assert.equal(checkPrefix(SEED, p, body.subarray(0, 100)), null);
});

test('soak checks: a response carrying another request id, or an upload that arrived changed, is caught', () => {
  const p = plan('GET');
  const h = new Headers({ [H.id]: '43', [H.len]: '1000' });
  assert.match(checkHead(SEED, p, 200, h) ?? '', /request 43 delivered to request 42/);
  const post = { ...planFor(SEED, 1), kind: 'POST-bytes' as const, reqSize: 10 };
  const wrongUpload = new Headers({ [H.id]: String(post.id), [H.len]: String(post.size), [H.reqLen]: '10', [H.reqSum]: '00000000' });
  assert.match(checkHead(SEED, post, 200, wrongUpload) ?? '', /request body with checksum/);
});

function failure(kind: Kind, code: string, attempts: Failure['attempts'], headConn?: number): Failure {
  return { plan: plan(kind), code, message: 'test', phase: 'head', attempts, headConn };
}

test('soak verifier: an error is deserved only when the server sabotaged that request', () => {
  const ends = new Map<number, ConnEnd>([[5, 'open'], [6, 'idle-close'], [7, 'peer']]);
  const recs = (fault: SeenRecord['fault']): SeenRecord[] => [{ conn: 5, fault }];
  const fresh = [{ conn: 1, reused: false, server: undefined }];
  assert.equal(judge(failure('GET', 'ERR_TIMEOUT', fresh), recs('stall-head'), ends).deserved, true);
  assert.equal(judge(failure('GET', 'ERR_READ', fresh), recs('rst-body'), ends).deserved, true);
  // Served normally, yet failed: the bug the soak is for.
  const normal = judge(failure('GET', 'ERR_READ', fresh), recs('normal'), ends);
  assert.equal(normal.deserved, false);
  assert.match(normal.why, /answered it "normal"/);
  // A stall cannot cause a connection reset, nor a reset a timeout.
  assert.equal(judge(failure('GET', 'ERR_READ', fresh), recs('stall-head'), ends).deserved, false);
  assert.equal(judge(failure('GET', 'ERR_TIMEOUT', fresh), recs('rst-head'), ends).deserved, false);
  // Timed out before any connection: the pool starved it.
  assert.equal(judge(failure('GET', 'ERR_TIMEOUT', []), [], ends).cause, 'queue-timeout');
  assert.equal(judge(failure('GET', 'ERR_TIMEOUT', []), [], ends).deserved, false);
});

test('soak verifier: the idle race excuses a POST but never a GET or an Idempotency-Key POST (Go retries those)', () => {
  const ends = new Map<number, ConnEnd>([[6, 'idle-close'], [7, 'conn-close']]);
  const reused = [{ conn: 3, reused: true, server: 6 }];
  assert.equal(judge(failure('POST-bytes', 'ERR_READ', reused), [], ends).deserved, true);
  assert.equal(judge(failure('POST-stream', 'ERR_WRITE', reused), [], ends).deserved, true);
  for (const kind of ['GET', 'HEAD', 'POST-idempotent'] as const) {
    const v = judge(failure(kind, 'ERR_READ', reused), [], ends);
    assert.equal(v.deserved, false, kind);
    assert.equal(v.cause, 'idle-race');
  }
  // Five attempts all lost to the race: retries exhausted, Go gives up too.
  const five = [1, 2, 3, 4, 5].map((conn) => ({ conn, reused: true, server: 6 }));
  assert.equal(judge(failure('GET', 'ERR_READ', five), [], ends).deserved, true);
  // A connection the server closed after Connection: close must never have been reused.
  const afterClose = judge(failure('POST-bytes', 'ERR_READ', [{ conn: 3, reused: true, server: 7 }]), [], ends);
  assert.equal(afterClose.deserved, false);
  assert.equal(afterClose.cause, 'unseen');
});

test('soak growth rule: steady growth is caught, a noisy flat series is not', () => {
  const flat = [10, 12, 9, 11, 10, 12, 10, 9, 11, 12];
  assert.equal(growth(flat, 3, 0).grew, false);
  const leaking = flat.map((v, i) => v + i * 2);
  assert.equal(growth(leaking, 3, 0).grew, true);
  const heap = Array.from({ length: 30 }, (_, i) => 8e6 + i * 1e6);
  assert.equal(growth(heap, 8 * 2 ** 20, 0.25).grew, true);
});

test('soak: a few seconds of faulty traffic pass every check and leave no descriptor behind', async () => {
  const report = await runSoak({ ...DEFAULT_OPTIONS, seed: SEED, durationS: 6 });
  const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  assert.deepEqual(failed, [], `failed checks; problems:\n${report.problems.join('\n')}`);
  assert.ok(report.ok);
  assert.ok(report.requests > 500, `only ${report.requests} requests`);
  for (const f of [...FAULTS, 'idle-close' as const]) assert.ok(report.faults[f] > 0, `fault ${f} never injected`);
  assert.ok(report.fds.afterClose <= report.fds.baseline, `fds ${report.fds.afterClose} after close, baseline ${report.fds.baseline}`);
  assert.ok((report.closeReasons['body-leaked'] ?? 0) > 0, 'no dropped body was released by the collector');
  assert.ok(report.retriedOk > 0, 'no request survived an idle race by a retry');
  assert.ok(report.maxConnsClient <= DEFAULT_OPTIONS.maxConnsPerHost);
});
