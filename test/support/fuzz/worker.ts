// Runs a fuzz test file's properties each in a worker thread, watched from the main thread
// through the progress counter (settings.ts): a decoder stuck in a loop never returns, so no
// in-thread timeout could fire; the watchdog terminates the worker and prints the input it was
// working on. A fuzz test file calls runFuzzProperties(import.meta.url, PROPS) at top level: in
// the main thread it registers one node:test test per property, in the worker it runs one.

import assert from 'node:assert/strict';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { fcParams, fuzzSeed, readProgress, setProgressBuffer } from './settings.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProperty = fc.IRawProperty<any>;

export interface FuzzProperty {
  title: string;
  runs: () => number;
  prop: () => AnyProperty;
}

interface WorkerIn {
  prop: string;
  runs: number;
  seed: number;
  sab: SharedArrayBuffer;
}
interface WorkerOut {
  failed: boolean;
  message: string;
  numRuns: number;
  seed: number;
}

/** Milliseconds without a new case before the worker counts as hung. */
const HANG_MS = Number(process.env.HTTPOOL_FUZZ_HANG_MS ?? '') || 20_000;

function runInWorker(moduleUrl: string, prop: string, runs: number, what: string): Promise<WorkerOut> {
  const sab = new SharedArrayBuffer(8 + 1024 * 1024);
  const seed = fuzzSeed();
  const input: WorkerIn = { prop, runs, seed, sab };
  const worker = new Worker(new URL(moduleUrl), { workerData: input });
  return new Promise<WorkerOut>((resolve, reject) => {
    let last = -1;
    let lastChange = Date.now();
    let settled = false;
    const timer = setInterval(() => {
      const { count, wire } = readProgress(sab);
      if (count !== last) {
        last = count;
        lastChange = Date.now();
        return;
      }
      if (Date.now() - lastChange > HANG_MS && !settled) {
        settled = true;
        clearInterval(timer);
        void worker.terminate();
        reject(
          new Error(
            `${what} made no progress for ${HANG_MS} ms (infinite loop?) on case #${count} ` +
              `(HTTPOOL_FUZZ_SEED=${seed}); input: ${JSON.stringify(wire.toString('latin1'))}`,
          ),
        );
      }
    }, 250);
    worker.once('message', (m: WorkerOut) => {
      settled = true;
      clearInterval(timer);
      resolve(m);
    });
    worker.once('error', (e) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      reject(e);
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      reject(new Error(`fuzz worker exited with ${code} before reporting`));
    });
  });
}

/**
 * Main thread: one test per property, each run in a worker loading `moduleUrl` (the calling
 * test file). Worker: runs the property named in workerData and reports back. `what` names the
 * code under test in the hang message.
 */
export async function runFuzzProperties(moduleUrl: string, props: Record<string, FuzzProperty>, what = 'parser'): Promise<void> {
  if (isMainThread) {
    const { test } = await import('node:test');
    for (const [key, p] of Object.entries(props)) {
      test(p.title, async (t) => {
        const out = await runInWorker(moduleUrl, key, p.runs(), what);
        if (out.failed) assert.fail(out.message);
        assert.ok(out.numRuns > 0);
        t.diagnostic(`${out.numRuns} runs, seed ${out.seed}`);
      });
    }
    return;
  }
  const input = workerData as WorkerIn;
  setProgressBuffer(input.sab);
  const details = fc.check(props[input.prop]!.prop(), fcParams(input.runs, input.seed)) as fc.RunDetails<unknown>;
  let message = '';
  if (details.failed) {
    const e = details.errorInstance;
    message = `${fc.defaultReportMessage(details) ?? 'failed'}\n\nError: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  parentPort!.postMessage({ failed: details.failed, message, numRuns: details.numRuns, seed: input.seed } satisfies WorkerOut);
}
