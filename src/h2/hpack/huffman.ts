// The HPACK Huffman code (RFC 7541 §5.2, Appendix B): an encoder, and a decoder driven by a
// state machine that consumes a whole octet per step.
//
// Decoder: the code's tree has 257 leaves (256 octets and EOS) and so 256 internal nodes. Each
// internal node is a state; for every state and every 4-bit input the table built at load holds
// the state reached, the octet completed on the way (at most one: the shortest code is 5 bits),
// and two flags: FAIL when the walk reaches EOS, ACCEPT when the state reached may end the
// string. A state may end the string when it is the root, or when the bits read since the last
// octet are all ones and at most seven (§5.2: padding is the most significant bits of EOS, so
// all ones, and "padding strictly longer than 7 bits MUST be treated as a decoding error"; "a
// Huffman-encoded string literal containing the EOS symbol MUST be treated as a decoding
// error"). That is nghttp2's decoder, with its table computed here rather than shipped. Two
// 4-bit steps are then composed into one 8-bit step (256 states × 256 octets, up to two octets
// out per step, 256 KiB, filled lazily: see octetSteps), so each input octet costs one table
// read and no branch per bit.
//
// Strings are octets: the decoder writes into a caller's scratch buffer and the caller makes one
// string of the result; the encoder reads a latin1 string (one char per octet).

import { HpackError } from './errors.js';

// Appendix B, symbols 0–255 (EOS, symbol 256, is 0x3fffffff in 30 bits). Code values are
// right-aligned in their length.
// prettier-ignore
export const HUFFMAN_CODES: Uint32Array = Uint32Array.from([
  0x1ff8, 0x7fffd8, 0xfffffe2, 0xfffffe3, 0xfffffe4, 0xfffffe5, 0xfffffe6, 0xfffffe7,
  0xfffffe8, 0xffffea, 0x3ffffffc, 0xfffffe9, 0xfffffea, 0x3ffffffd, 0xfffffeb, 0xfffffec,
  0xfffffed, 0xfffffee, 0xfffffef, 0xffffff0, 0xffffff1, 0xffffff2, 0x3ffffffe, 0xffffff3,
  0xffffff4, 0xffffff5, 0xffffff6, 0xffffff7, 0xffffff8, 0xffffff9, 0xffffffa, 0xffffffb,
  0x14, 0x3f8, 0x3f9, 0xffa, 0x1ff9, 0x15, 0xf8, 0x7fa,
  0x3fa, 0x3fb, 0xf9, 0x7fb, 0xfa, 0x16, 0x17, 0x18,
  0x0, 0x1, 0x2, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
  0x1e, 0x1f, 0x5c, 0xfb, 0x7ffc, 0x20, 0xffb, 0x3fc,
  0x1ffa, 0x21, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62,
  0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
  0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72,
  0xfc, 0x73, 0xfd, 0x1ffb, 0x7fff0, 0x1ffc, 0x3ffc, 0x22,
  0x7ffd, 0x3, 0x23, 0x4, 0x24, 0x5, 0x25, 0x26,
  0x27, 0x6, 0x74, 0x75, 0x28, 0x29, 0x2a, 0x7,
  0x2b, 0x76, 0x2c, 0x8, 0x9, 0x2d, 0x77, 0x78,
  0x79, 0x7a, 0x7b, 0x7ffe, 0x7fc, 0x3ffd, 0x1ffd, 0xffffffc,
  0xfffe6, 0x3fffd2, 0xfffe7, 0xfffe8, 0x3fffd3, 0x3fffd4, 0x3fffd5, 0x7fffd9,
  0x3fffd6, 0x7fffda, 0x7fffdb, 0x7fffdc, 0x7fffdd, 0x7fffde, 0xffffeb, 0x7fffdf,
  0xffffec, 0xffffed, 0x3fffd7, 0x7fffe0, 0xffffee, 0x7fffe1, 0x7fffe2, 0x7fffe3,
  0x7fffe4, 0x1fffdc, 0x3fffd8, 0x7fffe5, 0x3fffd9, 0x7fffe6, 0x7fffe7, 0xffffef,
  0x3fffda, 0x1fffdd, 0xfffe9, 0x3fffdb, 0x3fffdc, 0x7fffe8, 0x7fffe9, 0x1fffde,
  0x7fffea, 0x3fffdd, 0x3fffde, 0xfffff0, 0x1fffdf, 0x3fffdf, 0x7fffeb, 0x7fffec,
  0x1fffe0, 0x1fffe1, 0x3fffe0, 0x1fffe2, 0x7fffed, 0x3fffe1, 0x7fffee, 0x7fffef,
  0xfffea, 0x3fffe2, 0x3fffe3, 0x3fffe4, 0x7ffff0, 0x3fffe5, 0x3fffe6, 0x7ffff1,
  0x3ffffe0, 0x3ffffe1, 0xfffeb, 0x7fff1, 0x3fffe7, 0x7ffff2, 0x3fffe8, 0x1ffffec,
  0x3ffffe2, 0x3ffffe3, 0x3ffffe4, 0x7ffffde, 0x7ffffdf, 0x3ffffe5, 0xfffff1, 0x1ffffed,
  0x7fff2, 0x1fffe3, 0x3ffffe6, 0x7ffffe0, 0x7ffffe1, 0x3ffffe7, 0x7ffffe2, 0xfffff2,
  0x1fffe4, 0x1fffe5, 0x3ffffe8, 0x3ffffe9, 0xffffffd, 0x7ffffe3, 0x7ffffe4, 0x7ffffe5,
  0xfffec, 0xfffff3, 0xfffed, 0x1fffe6, 0x3fffe9, 0x1fffe7, 0x1fffe8, 0x7ffff3,
  0x3fffea, 0x3fffeb, 0x1ffffee, 0x1ffffef, 0xfffff4, 0xfffff5, 0x3ffffea, 0x7ffff4,
  0x3ffffeb, 0x7ffffe6, 0x3ffffec, 0x3ffffed, 0x7ffffe7, 0x7ffffe8, 0x7ffffe9, 0x7ffffea,
  0x7ffffeb, 0xffffffe, 0x7ffffec, 0x7ffffed, 0x7ffffee, 0x7ffffef, 0x7fffff0, 0x3ffffee,
]);
// prettier-ignore
export const HUFFMAN_LENGTHS: Uint8Array = Uint8Array.from([
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
]);

const EOS = 256;
const EOS_CODE = 0x3fffffff;
const EOS_LENGTH = 30;

// 4-bit step entries: next state | emitted octet << 8 | flags.
const EMIT = 1 << 16;
const ACCEPT = 2 << 16;
const FAIL = 4 << 16;

// 8-bit step entries: next state | first octet << 8 | second octet << 16 | flags.
const EMIT1 = 1 << 24;
const EMIT2 = 1 << 25;
const ACCEPT8 = 1 << 26;
const FAIL8 = 1 << 27;

/**
 * [state × 256 + octet] → 8-bit step entry, filled a state's row at a time as decoding first
 * reaches that state: composing all 65,536 entries up front takes over 10 ms of cold code, while
 * real header text visits few states. No filled entry is 0 (ending a whole octet at the root
 * means an octet was completed, so EMIT1 is set), so 0 marks a row not yet filled.
 */
let octetSteps: Uint32Array | null = null;
let nibbleSteps: Uint32Array | null = null;

function fillRow(state: number): void {
  const t4 = (nibbleSteps ??= buildNibbleSteps());
  const t8 = (octetSteps ??= new Uint32Array(256 * 256));
  for (let b = 0; b < 256; b++) {
    const e1 = t4[state * 16 + (b >>> 4)]!;
    const e2 = (e1 & FAIL) !== 0 ? FAIL : t4[(e1 & 0xff) * 16 + (b & 0x0f)]!;
    if ((e2 & FAIL) !== 0) {
      t8[state * 256 + b] = FAIL8;
      continue;
    }
    let entry = (e2 & 0xff) | ((e2 & ACCEPT) !== 0 ? ACCEPT8 : 0);
    if ((e1 & EMIT) !== 0) {
      entry |= EMIT1 | (((e1 >>> 8) & 0xff) << 8);
      if ((e2 & EMIT) !== 0) entry |= EMIT2 | (((e2 >>> 8) & 0xff) << 16);
    } else if ((e2 & EMIT) !== 0) {
      entry |= EMIT1 | (((e2 >>> 8) & 0xff) << 8);
    }
    t8[state * 256 + b] = entry >>> 0;
  }
}

/** [state × 16 + nibble] → 4-bit step entry, from a walk of the code's tree. */
function buildNibbleSteps(): Uint32Array {
  // The tree: children[node*2 + bit] is an internal node id (≥ 0) or ~symbol for a leaf.
  const children: number[] = [0, 0];
  const isSet: boolean[] = [false, false];
  let nodes = 1;
  const insert = (sym: number, code: number, len: number): void => {
    let node = 0;
    for (let i = len - 1; i >= 0; i--) {
      const bit = (code >>> i) & 1;
      const slot = node * 2 + bit;
      if (i === 0) {
        if (isSet[slot]) throw new Error(`Huffman table: code of ${sym} collides`);
        children[slot] = ~sym;
        isSet[slot] = true;
        break;
      }
      if (!isSet[slot]) {
        children[slot] = nodes++;
        isSet[slot] = true;
        children.push(0, 0);
        isSet.push(false, false);
      }
      node = children[slot]!;
      if (node < 0) throw new Error(`Huffman table: code of ${sym} passes a leaf`);
    }
  };
  for (let s = 0; s < 256; s++) insert(s, HUFFMAN_CODES[s]!, HUFFMAN_LENGTHS[s]!);
  insert(EOS, EOS_CODE, EOS_LENGTH);
  if (nodes !== 256) throw new Error(`Huffman table: ${nodes} internal nodes, expected 256`);

  // Accepting states: the root, and the nodes on the all-ones path at depth 1–7.
  const accepting = new Uint8Array(nodes);
  accepting[0] = 1;
  for (let node = 0, depth = 1; depth <= 7; depth++) {
    node = children[node * 2 + 1]!;
    accepting[node] = 1;
  }

  const table = new Uint32Array(nodes * 16);
  for (let state = 0; state < nodes; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let i = 3; i >= 0; i--) {
        const child = children[node * 2 + ((nibble >>> i) & 1)]!;
        if (child >= 0) {
          node = child;
          continue;
        }
        const sym = ~child;
        if (sym === EOS) {
          entry = FAIL;
          break;
        }
        entry = EMIT | (sym << 8);
        node = 0;
      }
      if (entry !== FAIL) entry |= node | (accepting[node] === 1 ? ACCEPT : 0);
      table[state * 16 + nibble] = entry;
    }
  }
  return table;
}

/** The most octets `encodedLength` Huffman octets can decode to (the shortest code is 5 bits). */
export function maxDecodedLength(encodedLength: number): number {
  return Math.floor((encodedLength * 8) / 5);
}

/**
 * Decodes src[start, end) into `out` from 0 and returns the decoded length. `out` must hold
 * maxDecodedLength(end - start) octets. Throws HpackError on EOS, on padding over 7 bits, and on
 * padding that is not all ones.
 */
export function huffmanDecode(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  if (octetSteps === null) fillRow(0);
  const t = octetSteps!;
  let state = 0;
  let accept = ACCEPT8;
  let o = 0;
  for (let i = start; i < end; i++) {
    const k = (state << 8) | src[i]!;
    let e = t[k]!;
    if (e === 0) {
      fillRow(state);
      e = t[k]!;
    }
    if ((e & (EMIT1 | FAIL8)) !== 0) {
      if ((e & FAIL8) !== 0) throw new HpackError('EOS in a Huffman-encoded string (RFC 7541 §5.2)');
      out[o++] = e >>> 8;
      if ((e & EMIT2) !== 0) out[o++] = e >>> 16;
    }
    state = e & 0xff;
    accept = e & ACCEPT8;
  }
  if (accept === 0) throw new HpackError('Huffman padding longer than 7 bits or not all ones (RFC 7541 §5.2)');
  return o;
}

/**
 * Octets the Huffman code of the latin1 string `s` takes, or -1 when `s` holds a character over
 * U+00FF (not an octet: header fields are octets, and this layer does not pick an encoding).
 */
export function huffmanEncodedLength(s: string): number {
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return -1;
    bits += HUFFMAN_LENGTHS[c]!;
  }
  return (bits + 7) >>> 3;
}

/**
 * Writes the Huffman code of the latin1 string `s` at out[pos] and returns the position after
 * it, or -1 when `s` holds a character over U+00FF (out is then partly written). The last octet
 * is padded with the high bits of EOS, all ones (§5.2). `out` must have room for
 * huffmanEncodedLength(s) octets (at most 4 per char).
 */
export function huffmanEncode(s: string, out: Uint8Array, pos: number): number {
  // `acc` holds `bits` (< 8 between symbols) pending bits. A code of up to 24 bits joins them in
  // one shift (7 + 24 = 31 bits: int32 arithmetic); the rare longer codes (25–30 bits, control
  // and high octets) are fed in two parts.
  const codes = HUFFMAN_CODES;
  const lengths = HUFFMAN_LENGTHS;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return -1;
    const code = codes[c]!;
    const len = lengths[c]!;
    if (len <= 24) {
      acc = (acc << len) | code;
      bits += len;
    } else {
      const high = len - 16;
      acc = (acc << high) | (code >>> 16);
      bits += high;
      while (bits >= 8) {
        bits -= 8;
        out[pos++] = acc >>> bits;
      }
      acc = (acc << 16) | (code & 0xffff);
      bits += 16;
    }
    while (bits >= 8) {
      bits -= 8;
      out[pos++] = acc >>> bits;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out[pos++] = (acc << (8 - bits)) | (0xff >>> bits);
  return pos;
}
