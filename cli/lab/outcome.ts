// What one lab run hands back, and the small helpers every pattern uses to produce it:
// bounded loops (sequential, or N workers sharing one request budget) that count each
// attempt and tally each failure by a short code instead of stopping.

export type Httpool = typeof import('../../src/index.js');
export type HttpoolTransport = InstanceType<Httpool['Transport']>;
/** undici is a devDependency: loaded dynamically, and its rows skipped when it is absent. */
export type Undici = typeof import('undici');

export interface Outcome {
  /** Requests the caller attempted. */
  requests: number;
  /** Failures the caller saw, by code (HttpoolError code, Node error code, or error name). */
  errors: Map<string, number>;
  /** The httpool transport whose close reasons the row shows, if any. */
  transport?: HttpoolTransport;
  /** Called after the run's sockets were inspected: close what the run opened. */
  release?: () => Promise<void>;
}

export function newOutcome(): Outcome {
  return { requests: 0, errors: new Map() };
}

/** A non-2xx answer, so it is tallied like any other failure. */
export class StatusError extends Error {
  readonly code: string;
  constructor(status: number) {
    super(`unexpected status ${status}`);
    this.code = `HTTP_${status}`;
  }
}

export function expectOk(status: number): void {
  if (status < 200 || status > 299) throw new StatusError(status);
}

function codeOf(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : null;
}

/** `ERR_X`, or `TypeError(UND_ERR_SOCKET)` for fetch's wrapped failures, or the error's name. */
export function errorCode(err: unknown): string {
  const own = codeOf(err);
  if (own !== null) return own;
  const name = err instanceof Error ? err.name : typeof err;
  const cause = err instanceof Error ? codeOf(err.cause) : null;
  return cause === null ? name : `${name}(${cause})`;
}

export function tally(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

/** One attempt: counted, and its failure tallied rather than thrown. */
export async function attempt(out: Outcome, fn: () => Promise<void>): Promise<void> {
  out.requests++;
  try {
    await fn();
  } catch (err) {
    tally(out.errors, errorCode(err));
  }
}

/** `count` attempts one after another. */
export async function sequential(out: Outcome, count: number, fn: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < count; i++) await attempt(out, () => fn(i));
}

/** `workers` concurrent callers sharing a budget of `total` attempts. */
export async function concurrent(out: Outcome, workers: number, total: number, fn: () => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      await attempt(out, fn);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
