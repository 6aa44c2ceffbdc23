// `npm run bench`: httpool, undici's Pool and node:http's keep-alive Agent side by side
// against one raw HTTP/1.1 server in a child process. For each scenario every client warms
// up, then the rounds run with the clients interleaved (rotated each round) so drift in the
// machine's speed hits all of them alike. Progress goes to stderr, results to stdout.

import os from 'node:os';
import { parseArgs, type BenchArgs } from './args.js';
import { CLIENT_NAMES, createClient, type BenchClient, type ClientName } from './clients.js';
import { drive, percentile, sortedLatencies, type RunResult } from './measure.js';
import { ratios, renderTable, type Row } from './report.js';
import { startServerProcess, type ServerProcess } from './spawn.js';

interface Scenario {
  id: string;
  what: string;
  path: string;
  expectBytes: number;
  concurrency: number;
}

const SCENARIOS: readonly Scenario[] = [
  { id: 'small-c50', what: '50 concurrent GETs of a 100-byte body', path: '/small', expectBytes: 100, concurrency: 50 },
  { id: 'small-c1', what: '1 GET at a time of a 100-byte body', path: '/small', expectBytes: 100, concurrency: 1 },
  { id: 'mib-c8', what: '8 concurrent GETs of a 1 MiB body', path: '/1mib', expectBytes: 1024 * 1024, concurrency: 8 },
];

const CLOSE_TIMEOUT_MS = 5_000;

interface ClientState {
  name: ClientName;
  client: BenchClient | null;
  runs: RunResult[];
  connections: number;
  error: string | null;
}

function message(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

/** One drive() with the server's connection count around it, attributed to this client. */
async function measured(server: ServerProcess, st: ClientState, sc: Scenario, durationMs: number): Promise<RunResult | null> {
  if (st.client === null) return null;
  const before = await server.counters();
  const run = await drive(st.client, { path: sc.path, expectBytes: sc.expectBytes, concurrency: sc.concurrency, durationMs });
  const after = await server.counters();
  st.connections += after.connections - before.connections;
  if (run.failure !== null) {
    st.error ??= run.failure;
    // A hung client would poison every later run: retire it.
    if (run.failure.startsWith('hung')) await closeClient(st);
  }
  return run;
}

async function closeClient(st: ClientState): Promise<void> {
  const client = st.client;
  st.client = null;
  if (client === null) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      st.error ??= `close() did not finish within ${CLOSE_TIMEOUT_MS} ms`;
      resolve();
    }, CLOSE_TIMEOUT_MS);
  });
  try {
    await Promise.race([client.close(), timeout]);
  } catch (err) {
    st.error ??= `close() failed: ${message(err)}`;
  } finally {
    clearTimeout(timer);
  }
}

function toRow(sc: Scenario, st: ClientState): Row {
  const requests = st.runs.reduce((n, r) => n + r.requests, 0);
  const errors = st.runs.reduce((n, r) => n + r.errors, 0);
  const bytes = st.runs.reduce((n, r) => n + r.bytes, 0);
  const elapsedMs = st.runs.reduce((n, r) => n + r.elapsedMs, 0);
  const lat = sortedLatencies(st.runs);
  const seconds = elapsedMs / 1000;
  return {
    scenario: sc.id,
    client: st.name,
    concurrency: sc.concurrency,
    requests,
    errors,
    elapsedMs,
    reqPerSec: seconds > 0 ? requests / seconds : 0,
    roundReqPerSec: st.runs.map((r) => (r.elapsedMs > 0 ? (r.requests * 1000) / r.elapsedMs : 0)),
    mbPerSec: seconds > 0 ? bytes / 1e6 / seconds : 0,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    connections: st.runs.length > 0 ? st.connections : null,
    error: st.error,
  };
}

async function runScenario(server: ServerProcess, sc: Scenario, args: BenchArgs): Promise<Row[]> {
  const states: ClientState[] = [];
  for (const name of CLIENT_NAMES) {
    const st: ClientState = { name, client: null, runs: [], connections: 0, error: null };
    try {
      st.client = await createClient(name, server.origin, sc.concurrency);
    } catch (err) {
      st.error = `could not create the client: ${message(err)}`;
    }
    states.push(st);
  }
  try {
    if (args.warmupS > 0) {
      for (const st of states) {
        progress(`${sc.id} ${st.name} warm-up ${args.warmupS}s`);
        await measured(server, st, sc, args.warmupS * 1000);
      }
    }
    for (let round = 0; round < args.rounds; round++) {
      for (let i = 0; i < states.length; i++) {
        const st = states[(i + round) % states.length];
        if (st === undefined || st.client === null) continue;
        progress(`${sc.id} ${st.name} round ${round + 1}/${args.rounds} ${args.durationS}s`);
        const run = await measured(server, st, sc, args.durationS * 1000);
        if (run !== null) st.runs.push(run);
      }
    }
  } finally {
    for (const st of states) await closeClient(st);
  }
  return states.map((st) => toRow(sc, st));
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const scenarios = args.only.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => args.only.includes(s.id));
  if (scenarios.length === 0) throw new Error(`--only matched no scenario (ids: ${SCENARIOS.map((s) => s.id).join(', ')})`);
  const server = await startServerProcess();
  const rows: Row[] = [];
  try {
    for (const sc of scenarios) rows.push(...(await runScenario(server, sc, args)));
  } finally {
    await server.stop();
  }
  const env = {
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    durationS: args.durationS,
    warmupS: args.warmupS,
    rounds: args.rounds,
  };
  if (args.json) {
    console.log(JSON.stringify({ env, scenarios, rows, ratios: ratios(rows) }, null, 2));
  } else {
    console.log(`node ${env.node}, ${env.cpus} x ${env.cpu}; ${env.durationS}s per client per round, ${env.rounds} round(s), warm-up ${env.warmupS}s`);
    for (const sc of scenarios) console.log(`  ${sc.id.padEnd(10)} ${sc.what}`);
    console.log('');
    console.log(renderTable(rows));
  }
  return rows.some((r) => r.error !== null) ? 1 : 0;
}

// The unref'd timer only fires if something (a hung socket) would keep the process alive.
main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 3_000).unref();
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 3_000).unref();
  },
);
