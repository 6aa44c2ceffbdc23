// Checks on what the client received: every one returns a description of what is wrong, or
// null. A non-null answer is a wrong response: the soak fails on the first one.

import type { Headers } from '../src/index.js';
import { SALT, checksum, firstDiff, payload } from './prng.js';
import { H } from './protocol.js';
import { requestBody, type Plan } from './plan.js';

/** The head: our status, our id (never another request's answer), what the upload carried. */
export function checkHead(seed: number, plan: Plan, statusCode: number, headers: Headers): string | null {
  if (statusCode !== 200) return `status ${statusCode}, expected 200`;
  const id = headers.get(H.id);
  if (id !== String(plan.id)) return `response for request ${id ?? '(none)'} delivered to request ${plan.id}`;
  if (headers.get(H.len) !== String(plan.size)) return `${H.len} ${headers.get(H.len)}, expected ${plan.size}`;
  if (plan.kind.startsWith('POST')) {
    const sent = requestBody(seed, plan);
    const len = headers.get(H.reqLen);
    const sum = headers.get(H.reqSum);
    if (len !== String(sent.length)) return `server received a ${len}-byte request body, sent ${sent.length}`;
    if (sum !== checksum(sent)) return `server received a request body with checksum ${sum}, sent ${checksum(sent)}`;
  }
  return null;
}

/** A body read to the end: exactly the bytes derived from the id, and the header's checksum. */
export function checkBody(seed: number, plan: Plan, got: Uint8Array, headers: Headers): string | null {
  if (plan.kind === 'HEAD') return got.length === 0 ? null : `HEAD response carried ${got.length} body bytes`;
  const want = payload(seed, plan.id, SALT.response, plan.size);
  const at = firstDiff(got, want);
  if (at >= 0) {
    if (got.length !== want.length && at === Math.min(got.length, want.length)) {
      return `body is ${got.length} bytes, expected ${want.length}`;
    }
    return `body byte ${at} is 0x${got[at]!.toString(16)}, expected 0x${want[at]!.toString(16)}`;
  }
  const sum = checksum(got);
  if (headers.get(H.sum) !== sum) return `body checksum ${sum}, header says ${headers.get(H.sum)}`;
  return null;
}

/** The first bytes of a body closed early must still be the body's first bytes. */
export function checkPrefix(seed: number, plan: Plan, got: Uint8Array): string | null {
  if (got.length > plan.size) return `got ${got.length} bytes of a ${plan.size}-byte body`;
  const want = payload(seed, plan.id, SALT.response, got.length);
  const at = firstDiff(got, want);
  return at < 0 ? null : `body byte ${at} is 0x${got[at]!.toString(16)}, expected 0x${want[at]!.toString(16)} (before an early close)`;
}
