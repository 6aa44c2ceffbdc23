// Runs one row of the lab: a fresh server, the pattern's caller code, then the evidence.
// Sockets are read twice: right after the run (TIME_WAIT left by connections the run threw
// away, client connections still open), and after the server has closed every idle
// connection (CLOSE_WAIT: client sockets that never noticed the server's FIN, the seed 003
// leak). httpool's close reasons are taken right after the run, before that probe, and an
// observer (the report's timeline recorder) sees exactly the run, not the probe or cleanup.

import { performance } from 'node:perf_hooks';
import { errorCode, sleep, type Outcome } from './outcome.js';
import type { LabRun, Library, Pattern, RunContext } from './pattern.js';
import { startLabServer } from './server.js';
import { portSockets } from './sockets.js';

export interface Row {
  pattern: string;
  seed: string;
  client: string;
  library: Library;
  /** One sentence: what this client's code does in this pattern. */
  explains: string;
  /** Requests the caller attempted. */
  requests: number;
  /** Requests the server received. */
  served: number;
  /** 'connection' events on the server. */
  connections: number;
  errors: number;
  errorCodes: Record<string, number>;
  /** Upload bodies the server received, and how many were short (pattern 3). */
  uploads: number;
  shortBodies: number;
  /** Client sockets still connected when the run ended. */
  open: number | null;
  /** Sockets in CLOSE_WAIT after the server closed its idle connections. */
  closeWait: number | null;
  /** Sockets in TIME_WAIT when the run ended. */
  timeWait: number | null;
  ms: number;
  /** httpool: transport.stats().totals.closed; null for other clients. */
  closeReasons: Record<string, number> | null;
  /** The row could not run as designed (library missing, hang, crash); null when it did. */
  failure: string | null;
}

const RUN_TIMEOUT_MS = 20_000;
const RELEASE_TIMEOUT_MS = 5_000;
/** Long enough for a live client to see the server's FIN and close its end. */
const FIN_PROBE_MS = 200;

function message(err: unknown): string {
  return err instanceof Error ? `${errorCode(err)}: ${err.message}` : String(err);
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Close reasons arrive as a partial record; keep only the reasons that happened. */
function definedCounts(rec: Readonly<Record<string, number | undefined>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(rec)) if (v !== undefined && v > 0) out[k] = v;
  return out;
}

/** Told when the run itself starts and ends (the report records httpool's timeline in between). */
export interface RunObserver {
  start(): void;
  stop(): void;
}

export type Loaders = Omit<RunContext, 'server'>;

export async function runRow(pattern: Pattern, run: LabRun, loaders: Loaders, observer?: RunObserver): Promise<Row> {
  const server = await startLabServer(pattern.server);
  let failure: string | null = null;
  let outcome: Outcome | null = null;
  observer?.start();
  const t0 = performance.now();
  try {
    outcome = await withTimeout(run.run({ server, ...loaders }), RUN_TIMEOUT_MS, 'the run');
  } catch (err) {
    failure = message(err);
  }
  const ms = performance.now() - t0;
  observer?.stop();
  const atEnd = await portSockets(server.port);
  const counters = { ...server.counters };
  let closeReasons: Record<string, number> | null = null;
  if (outcome?.transport !== undefined) {
    try {
      closeReasons = definedCounts(outcome.transport.stats().totals.closed);
    } catch (err) {
      failure ??= `stats(): ${message(err)}`;
    }
  }

  server.closeIdle();
  await sleep(FIN_PROBE_MS);
  const afterFin = await portSockets(server.port);

  try {
    if (outcome?.release !== undefined) await withTimeout(outcome.release(), RELEASE_TIMEOUT_MS, 'closing the client');
  } catch (err) {
    failure ??= message(err);
  }
  await server.close();

  const errorCodes = Object.fromEntries(outcome?.errors ?? []);
  return {
    pattern: pattern.id,
    seed: pattern.seed,
    client: run.client,
    library: run.library,
    explains: run.explains,
    requests: outcome?.requests ?? 0,
    served: counters.requests,
    connections: counters.connections,
    errors: Object.values(errorCodes).reduce((a, b) => a + b, 0),
    errorCodes,
    uploads: counters.uploads,
    shortBodies: counters.shortBodies,
    open: atEnd?.clientEstablished ?? null,
    closeWait: afterFin?.closeWait ?? null,
    timeWait: atEnd?.timeWait ?? null,
    ms,
    closeReasons,
    failure,
  };
}
