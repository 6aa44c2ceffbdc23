// HPACK micro-benchmark (`node build/bench/hpack.js [seconds per line, default 5]`): a typical request and response
// header set through src/h2/hpack/, one encoder/decoder pair per direction as on a connection,
// so the dynamic tables are warm as they are after the first request. Reports, per header set:
// request encode, response decode (the client's two steps), and the full round (encode + decode
// of both), as operations per µs and ns per operation. Not part of `npm run bench` (which
// measures whole requests); a yardstick for the HPACK layer alone.

import { performance } from 'node:perf_hooks';
import { HpackDecoder, HpackEncoder } from '../src/h2/hpack/index.js';

const seconds = Number(process.argv[2] ?? '5');

const REQUEST = [
  ':method', 'GET',
  ':scheme', 'https',
  ':authority', 'api.example.com',
  ':path', '/v1/items?page=2&per_page=50',
  'user-agent', 'httpool/0.1.0',
  'accept', 'application/json',
  'accept-encoding', 'gzip, deflate, br',
  'authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc',
];

/** A response as a server such as nginx sends it; date and x-request-id change per response. */
function response(i: number): string[] {
  return [
    ':status', '200',
    'server', 'nginx/1.24.0',
    'date', `Wed, 02 Dec 2026 10:${String(10 + (i % 50)).padStart(2, '0')}:00 GMT`,
    'content-type', 'application/json; charset=utf-8',
    'content-length', String(1000 + (i % 9000)),
    'cache-control', 'private, max-age=0, no-cache',
    'vary', 'Accept-Encoding',
    'x-request-id', `4f9c2d7e-${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}-4c1e-9b2a-7d3e5f6a8b9c`,
    'strict-transport-security', 'max-age=31536000; includeSubDomains',
  ];
}
const RESPONSES = Array.from({ length: 1024 }, (_, i) => response(i));

function measure(name: string, op: (i: number) => void): void {
  // Warm up, then five rounds of seconds/5 in batches (the clock is read rarely); the best round
  // is reported, the others being the machine's noise (other processes, GC of other rounds).
  for (let i = 0; i < 20_000; i++) op(i);
  const batch = 10_000;
  let best = Infinity;
  let n = 0;
  for (let round = 0; round < 5; round++) {
    let count = 0;
    const t0 = performance.now();
    const end = t0 + (seconds * 1000) / 5;
    let t = t0;
    while (t < end) {
      for (let i = 0; i < batch; i++) op(n + i);
      n += batch;
      count += batch;
      t = performance.now();
    }
    best = Math.min(best, ((t - t0) * 1e6) / count);
  }
  console.log(`${name.padEnd(44)} ${(1000 / best).toFixed(2).padStart(6)} ops/µs  ${best.toFixed(0).padStart(6)} ns/op`);
}

console.log(`HPACK, Node ${process.version}, ${seconds} s per line`);

// Each measure has its own encoder/decoder pairs (a pair is a connection direction: the decoder
// must see every block its encoder made, in order).
const encOnly = new HpackEncoder();
measure('encode request (warm table)', () => {
  encOnly.encode(REQUEST);
});
const resOnly = new HpackEncoder();
measure('encode response', (i) => {
  resOnly.encode(RESPONSES[i & 1023]!);
});
const reqEnc = new HpackEncoder();
const reqDec = new HpackDecoder();
measure('request: encode + decode', () => {
  reqDec.decode(reqEnc.encode(REQUEST));
});
const resEnc = new HpackEncoder();
const resDec = new HpackDecoder();
measure('response: encode + decode', (i) => {
  resDec.decode(resEnc.encode(RESPONSES[i & 1023]!));
});
// Decode alone: blocks recorded from one encoder, replayed to a decoder that starts where the
// encoder started. Replaying the same 1024 blocks again would not match the decoder's table, so
// the cycle restarts with a fresh decoder each time (one allocation per 1024 blocks).
const recEnc = new HpackEncoder();
const recorded = RESPONSES.map((r) => Buffer.from(recEnc.encode(r)));
let replay = new HpackDecoder();
measure('decode response (replayed blocks)', (i) => {
  const k = i & 1023;
  if (k === 0) replay = new HpackDecoder();
  replay.decode(recorded[k]!);
});
const fullReqEnc = new HpackEncoder();
const fullReqDec = new HpackDecoder();
const fullResEnc = new HpackEncoder();
const fullResDec = new HpackDecoder();
measure('round: request enc+dec, response enc+dec', (i) => {
  fullReqDec.decode(fullReqEnc.encode(REQUEST));
  fullResDec.decode(fullResEnc.encode(RESPONSES[i & 1023]!));
});
