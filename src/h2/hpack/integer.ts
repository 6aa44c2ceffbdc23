// HPACK integers (RFC 7541 §5.1): an N-bit prefix in the first octet, then, when the prefix is
// all ones, base-128 continuation octets, least significant group first.
//
// The RFC sets no bound, so the decoder sets one (§5.1 "Integer value … the decoder MUST
// protect itself"): values over 2^31-1 and more than MAX_CONTINUATION_OCTETS continuation octets
// are refused. 2^31-1 needs at most five continuation octets after any prefix (7×5 = 35 bits),
// and every length, index and table size in HTTP/2 fits far below it (SETTINGS values are 32-bit
// and a frame's payload at most 2^24-1). Zero-valued padding octets (0x80 0x80 …) count toward
// the cap, so a block cannot keep the decoder spinning on one integer.

import { HpackError } from './errors.js';

/** The largest integer the decoder accepts. */
export const MAX_INTEGER = 0x7fffffff;
/** The most continuation octets one integer may use. */
export const MAX_CONTINUATION_OCTETS = 5;

/** A read position shared between the decoder and these helpers, so reads allocate nothing. */
export interface Cursor {
  pos: number;
}

/**
 * Reads an integer with a `prefixBits`-bit prefix (1–8) starting at `cur.pos`, whose first
 * octet's high bits (the representation's pattern) are ignored, and advances `cur.pos` past it.
 * Throws HpackError on truncation or overflow.
 */
export function decodeInteger(src: Uint8Array, cur: Cursor, end: number, prefixBits: number): number {
  let pos = cur.pos;
  if (pos >= end) throw new HpackError('truncated integer');
  const max = (1 << prefixBits) - 1;
  let value = src[pos++]! & max;
  if (value < max) {
    cur.pos = pos;
    return value;
  }
  let shift = 0;
  for (let n = 0; ; n++) {
    if (n === MAX_CONTINUATION_OCTETS) throw new HpackError(`integer longer than ${MAX_CONTINUATION_OCTETS} continuation octets`);
    if (pos >= end) throw new HpackError('truncated integer');
    const b = src[pos++]!;
    // Multiplication, not <<: the sum may pass 2^31 before the check below refuses it.
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  if (value > MAX_INTEGER) throw new HpackError(`integer ${value} over ${MAX_INTEGER}`);
  cur.pos = pos;
  return value;
}

/** Octets encodeInteger writes for `value` with a `prefixBits`-bit prefix. */
export function integerLength(value: number, prefixBits: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) return 1;
  let n = 2;
  for (let v = value - max; v >= 0x80; v = Math.floor(v / 128)) n++;
  return n;
}

/**
 * Writes `value` (0…2^31-1 in practice; any safe integer encodes) with a `prefixBits`-bit
 * prefix, OR-ing `pattern` (the representation's high bits) into the first octet. Returns the
 * position after it. The caller guarantees room (integerLength).
 */
export function encodeInteger(out: Uint8Array, pos: number, value: number, prefixBits: number, pattern: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out[pos++] = pattern | value;
    return pos;
  }
  out[pos++] = pattern | max;
  let v = value - max;
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[pos++] = v;
  return pos;
}
