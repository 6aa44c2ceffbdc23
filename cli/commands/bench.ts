// `httpool bench [URL]`: load a URL (or an embedded server) through a fresh Transport and say
// whether connections were reused, why they closed, and what to change: the question each seed
// report needed tcpdump, ss and lsof to answer. The work is in cli/bench/; this file is the
// shell: arguments, the progress line, Ctrl-C, output and the exit code.
//
// Exit codes: 0 the bench ran (failed requests are reported, not fatal: a load test that finds
// errors did its job); 1 nothing succeeded, so there is nothing to report on; 2 bad command
// line; 130 interrupted (the results so far are still printed).

import { EXIT_FAILURE, EXIT_OK, paint, UsageError, type Command, type Io } from '../io.js';
import { InvalidRequestError } from '../../src/index.js';
import { formatProgress, formatResult } from '../bench/format.js';
import { parseBenchArgs, USAGE } from '../bench/options.js';
import { runBench, type BenchProgress, type BenchResult } from '../bench/run.js';
import { int } from '../../src/advice/format.js';
import { attachReport } from '../report/bench.js';

export { runBench, type BenchOptions, type BenchResult, type BenchProgress } from '../bench/run.js';

const EXIT_INTERRUPTED = 130;
/** The progress line redraws at most this often (10×/s). */
const PROGRESS_EVERY_MS = 100;

/** A one-line progress display on a terminal's stderr; silent anywhere else. */
function progressLine(io: Io, plan: { requests: number; durationMs: number | null }): { update(p: BenchProgress): void; clear(): void } {
  if (io.err.isTTY !== true) return { update: () => {}, clear: () => {} };
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = performance.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      shown = true;
      io.err.write(`\r${formatProgress(p, plan)}\u001b[K`);
    },
    clear() {
      if (shown) io.err.write('\r\u001b[K');
    },
  };
}

export const bench: Command = async (args, io) => {
  const cmd = parseBenchArgs(args);
  if (cmd.help) {
    io.out.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  const plan = { requests: cmd.bench.requests ?? 0, durationMs: cmd.bench.durationMs ?? null };
  const progress = progressLine(io, plan);
  // First Ctrl-C: stop issuing requests and report what ran. The handler is removed right
  // after, so a second Ctrl-C kills the process the usual way.
  const stop = new AbortController();
  const onSigint = (): void => stop.abort();
  process.once('SIGINT', onSigint);
  const report = cmd.report === null ? null : attachReport();
  let result: BenchResult;
  try {
    result = await runBench({
      ...cmd.bench,
      signal: stop.signal,
      onProgress: (p) => progress.update(p),
      ...(report !== null ? { onTransport: report.onTransport } : {}),
    });
  } catch (err) {
    report?.stop();
    // A method, header or URL the Request refuses is a command-line mistake.
    if (err instanceof InvalidRequestError) throw new UsageError(err.message);
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    progress.clear();
  }
  if (report !== null && cmd.report !== null) {
    io.err.write(`httpool bench: report written to ${await report.write(cmd.report, result)}\n`);
  }

  io.out.write(cmd.json ? `${JSON.stringify(result, null, 2)}\n` : formatResult(result, paint(io.out, io.env)));
  if (result.ok === 0) {
    const codes = Object.entries(result.errors).map(([code, n]) => `${code} ×${int(n)}`).join(', ');
    io.err.write(`httpool bench: no request succeeded (${codes}): ${result.firstError ?? 'unknown error'}\n`);
    return EXIT_FAILURE;
  }
  return result.stopped === 'interrupted' ? EXIT_INTERRUPTED : EXIT_OK;
};
