// What the client does with request `id`, drawn from (seed, id): the method and body kind, how
// much the server should send back, and how the response is consumed. The same seed gives the
// same mix, so a failing run can be replayed with --seed.

import { Rng, SALT, payload } from './prng.js';

export type Kind = 'GET' | 'HEAD' | 'POST-bytes' | 'POST-string' | 'POST-idempotent' | 'POST-stream';
export const KINDS: readonly Kind[] = ['GET', 'HEAD', 'POST-bytes', 'POST-string', 'POST-idempotent', 'POST-stream'];

/**
 * `drop`: never read nor closed; a body over the channel's 256 KiB buffer holds its
 * connection until the Body is garbage-collected (the leak release).
 */
export type ReadMode = 'bytes' | 'iterate' | 'stream' | 'close-early' | 'close-unread' | 'drop';
export const READ_MODES: readonly ReadMode[] = ['bytes', 'iterate', 'stream', 'close-early', 'close-unread', 'drop'];

export interface Plan {
  id: number;
  kind: Kind;
  read: ReadMode;
  /** Response body bytes the server is asked for. */
  size: number;
  /** Request body bytes (POST). */
  reqSize: number;
  /**
   * The worker pauses this long first (usually 0). Pauses let connections sit idle, so the
   * server's idle closes also land on idle connections and the client learns the limit.
   */
  pauseMs: number;
}

const KIND_WEIGHTS: Readonly<Record<Kind, number>> = {
  GET: 40,
  HEAD: 10,
  'POST-bytes': 14,
  'POST-string': 10,
  'POST-idempotent': 10,
  'POST-stream': 16,
};

const READ_WEIGHTS: Readonly<Record<ReadMode, number>> = {
  bytes: 40,
  iterate: 25,
  stream: 15,
  'close-early': 10,
  'close-unread': 6,
  drop: 4,
};

export function planFor(seed: number, id: number): Plan {
  const rng = new Rng(seed, id, SALT.plan);
  const kind = rng.pick(KIND_WEIGHTS);
  const read = rng.pick(READ_WEIGHTS);
  const band = rng.pick({ tiny: 30, small: 40, medium: 20, large: 10 });
  let size =
    band === 'tiny' ? rng.int(0, 1024) : band === 'small' ? rng.int(1025, 16 * 1024) : band === 'medium' ? rng.int(16 * 1024 + 1, 128 * 1024) : rng.int(128 * 1024 + 1, 256 * 1024);
  // One drop in eight is bigger than the body buffer, so it holds its connection until
  // collected; the rest arrive whole and give the connection back unread.
  if (read === 'drop' && rng.next() < 0.125) size = rng.int(300 * 1024, 600 * 1024);
  const reqSize = kind.startsWith('POST') ? rng.pick({ empty: 1, some: 9 }) === 'empty' ? 0 : rng.int(1, 64 * 1024) : 0;
  const pauseMs = rng.next() < 0.03 ? rng.int(20, 400) : 0;
  return { id, kind, read, size, reqSize, pauseMs };
}

/**
 * Go's Request.isReplayable for the soak's kinds: idempotent methods and POSTs with an
 * Idempotency-Key and a replayable body may be retried after a reused connection fails.
 */
export function goRetries(kind: Kind): boolean {
  return kind === 'GET' || kind === 'HEAD' || kind === 'POST-idempotent';
}

/** The request body for a plan; strings stay ASCII so their UTF-8 bytes equal their length. */
export function requestBody(seed: number, plan: Plan): Buffer {
  const raw = payload(seed, plan.id, SALT.request, plan.reqSize);
  if (plan.kind !== 'POST-string') return raw;
  const out = Buffer.allocUnsafe(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = 0x61 + (raw[i]! % 26);
  return out;
}
