// Seeded randomness and the deterministic bytes both sides derive from a request id. The
// server and the client never exchange payloads out of band: each recomputes them from
// (seed, id), so a single wrong byte on the wire is a mismatch the client can point at.

import { crc32 } from 'node:zlib';

/** Mixes numbers into one 32-bit state (splitmix-style), so (seed, id, salt) streams never overlap. */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough to pick faults and sizes reproducibly. */
export class Rng {
  #s: number;

  constructor(...parts: number[]) {
    this.#s = mix(...parts);
  }

  /** [0, 1) */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Picks a key by weight; weights need not sum to 1. */
  pick<K extends string>(weights: Readonly<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    let total = 0;
    for (const k of keys) total += weights[k];
    let r = this.next() * total;
    for (const k of keys) {
      r -= weights[k];
      if (r < 0) return k;
    }
    return keys[keys.length - 1]!;
  }
}

/** Salts keep the streams for response bodies, request bodies and plans apart. */
export const SALT = { response: 1, request: 2, plan: 3, fault: 4, idle: 5 } as const;

/**
 * `size` bytes determined by (seed, id, salt): xorshift32 words, so a shifted, dropped or
 * foreign chunk (another request's body) never lines up by accident.
 */
export function payload(seed: number, id: number, salt: number, size: number): Buffer {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = mix(seed, id, salt) | 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return Buffer.from(words.buffer, 0, size);
}

/** Checksum the server sends in a header and the client recomputes. */
export function checksum(data: Uint8Array): string {
  return crc32(data).toString(16).padStart(8, '0');
}

/** Index of the first differing byte, or -1 when `got` equals `want`. */
export function firstDiff(got: Uint8Array, want: Uint8Array): number {
  const n = Math.min(got.length, want.length);
  if (Buffer.compare(Buffer.from(got.buffer, got.byteOffset, n), Buffer.from(want.buffer, want.byteOffset, n)) === 0) {
    return got.length === want.length ? -1 : n;
  }
  for (let i = 0; i < n; i++) if (got[i] !== want[i]) return i;
  return n;
}
