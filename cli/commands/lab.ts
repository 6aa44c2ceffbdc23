// `httpool lab` (what `npm start` runs): the seed incidents replayed against a local server,
// through Node's fetch, node:http with a keep-alive Agent, undici and httpool, with the
// evidence the seed authors needed tcpdump, ss and lsof for: connections the server accepted,
// errors the caller saw, sockets left in CLOSE_WAIT and TIME_WAIT, and httpool's own record of
// why each connection closed. `--report FILE.html` adds a page with a connection timeline per
// httpool row. Exit 0 when every row ran, 1 when one could not, 2 for a bad command line.

import { UsageError, type Command, type Io } from '../io.js';
import type { Httpool, Undici } from '../lab/outcome.js';
import type { Pattern } from '../lab/pattern.js';
import { PATTERNS } from '../lab/patterns.js';
import { renderText } from '../lab/render.js';
import { labReport, type RecordedRow } from '../lab/report.js';
import { runRow, type Loaders, type RunObserver } from '../lab/runner.js';
import { TimelineRecorder, type Timeline } from '../report/timeline.js';
import { writeReport } from '../report/write.js';

const USAGE = `usage: httpool lab [--json] [--report FILE.html] [--pattern N]...

Replays each seed incident (a body closed unread, a body never closed, a request body sent
twice, a pool too small, a server closing idle connections first, a client per call) against
an embedded server through fetch, node:http, undici and httpool, and prints what each did:
connections opened, errors, sockets left in TIME_WAIT/CLOSE_WAIT, time. Under a minute.

options:
  --json              print the rows as JSON instead of the table
  --report FILE.html  also write a self-contained page with a connection timeline per httpool row
  --pattern N         run only pattern N (1-6); repeat for more
  -h, --help          this text`;

/** The whole lab stays well under a minute; past this something hangs. */
const WATCHDOG_MS = 58_000;

interface LabArgs {
  json: boolean;
  report: string | null;
  patterns: Pattern[];
  help: boolean;
}

function parseArgs(args: readonly string[]): LabArgs {
  const out: LabArgs = { json: false, report: null, patterns: [], help: false };
  const chosen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--json' && inline === undefined) out.json = true;
    else if ((flag === '--help' || flag === '-h') && inline === undefined) out.help = true;
    else if (flag === '--debug' && inline === undefined) continue; // main prints stacks with it
    else if (flag === '--report') out.report = value();
    else if (flag === '--pattern') chosen.add(value());
    else throw new UsageError(`unknown option ${arg}`);
  }
  for (const id of chosen) {
    if (!PATTERNS.some((p) => p.id.split(' ')[0] === id)) throw new UsageError(`no pattern ${id} (patterns are 1-${PATTERNS.length})`);
  }
  out.patterns = PATTERNS.filter((p) => chosen.size === 0 || chosen.has(p.id.split(' ')[0]!));
  return out;
}

/** Loaded once, on first use: a library that fails to load fails its rows, not the lab. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | null = null;
  return () => (loaded ??= load());
}

/**
 * undici, loaded only after Node's own fetch has set up its dispatcher: loading the undici
 * package first installs that package's Agent as the global dispatcher, and the fetch rows
 * would measure it instead of the fetch Node ships.
 */
async function loadUndici(): Promise<Undici> {
  await (await fetch('data:,')).arrayBuffer();
  return import('undici');
}

/** undici is a devDependency; without it the lab runs and says which rows it skipped. */
async function undiciAvailable(load: () => Promise<Undici>): Promise<boolean> {
  try {
    await load();
    return true;
  } catch {
    return false;
  }
}

/** Records httpool's connection timeline over exactly one row's run. */
function timelineObserver(): RunObserver & { timeline(): Timeline | null } {
  let recorder: TimelineRecorder | null = null;
  let result: Timeline | null = null;
  return {
    start: () => {
      recorder = new TimelineRecorder().start();
    },
    stop: () => {
      result = recorder?.stop() ?? null;
    },
    timeline: () => result,
  };
}

async function runLab(opts: LabArgs, io: Io): Promise<number> {
  const loaders: Loaders = {
    httpool: once((): Promise<Httpool> => import('../../src/index.js')),
    undici: once(loadUndici),
  };
  const haveUndici = await undiciAvailable(loaders.undici);
  // Loaded before the first row so no row's time (or timeline) includes loading the library;
  // a failure here surfaces again in each httpool row, which then fails alone.
  await loaders.httpool().catch(() => undefined);
  const skipped = haveUndici ? [] : ['undici is not installed (it is a devDependency: npm install), so its rows were skipped.'];
  const recorded: RecordedRow[] = [];
  for (const pattern of opts.patterns) {
    for (const run of pattern.runs) {
      if (run.library === 'undici' && !haveUndici) continue;
      io.err.write(`lab: ${pattern.id} / ${run.client}\n`);
      const observer = opts.report !== null && run.library === 'httpool' ? timelineObserver() : null;
      const row = await runRow(pattern, run, loaders, observer ?? undefined);
      recorded.push({ row, timeline: observer?.timeline() ?? null });
    }
  }
  const rows = recorded.map((r) => r.row);
  if (opts.json) {
    const patterns = opts.patterns.map((p) => ({ id: p.id, seed: p.seed, explains: p.explains }));
    io.out.write(`${JSON.stringify({ node: process.version, patterns, rows, skipped }, null, 2)}\n`);
  } else {
    io.out.write(`${renderText(opts.patterns, rows, skipped)}\n`);
  }
  if (opts.report !== null) {
    const path = await writeReport(opts.report, labReport(opts.patterns, recorded, skipped));
    io.err.write(`lab: report written to ${path}\n`);
  }
  return rows.some((r) => r.failure !== null) ? 1 : 0;
}

export const lab: Command = async (args, io) => {
  const opts = parseArgs(args);
  if (opts.help) {
    io.out.write(`${USAGE}\n`);
    return 0;
  }
  // Every row has its own timeout; this catches a hang outside them (a server that won't close).
  const watchdog = setTimeout(() => {
    io.err.write(`lab: still running after ${WATCHDOG_MS} ms, giving up\n`);
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  try {
    return await runLab(opts, io);
  } finally {
    clearTimeout(watchdog);
  }
};
