// `npm run bench`: httpool, undici's Pool and Node's own client side by side against one
// server in a child process: raw HTTP/1.1, HTTP/1.1 over TLS and HTTP/2 over TLS (the TLS
// scenarios with a certificate made at run time, skipped when openssl is missing). For each
// scenario every client warms up, then the rounds run with the clients interleaved (rotated
// each round) so drift in the machine's speed hits all of them alike. Progress goes to
// stderr, results to stdout.

import os from 'node:os';
import { parseArgs, type BenchArgs } from './args.js';
import { makeCerts, type BenchCerts } from './certs.js';
import { createClient, type BenchClient, type ClientName, type Protocol } from './clients.js';
import { drive, percentile, sortedLatencies, type RunResult } from './measure.js';
import { ratios, renderTable, type Row, type Skipped } from './report.js';
import { needsTls, SCENARIOS, type Scenario } from './scenarios.js';
import { startServerProcess, type ServerProcess } from './spawn.js';

const CLOSE_TIMEOUT_MS = 5_000;

interface ClientState {
  name: ClientName;
  client: BenchClient | null;
  runs: RunResult[];
  connections: number;
  protocols: Set<Protocol>;
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
  const run = await drive(st.client, {
    path: sc.path,
    expectBytes: sc.expectBytes,
    expectProtocol: sc.protocol,
    concurrency: sc.concurrency,
    durationMs,
  });
  const after = await server.counters();
  st.connections += after.connections - before.connections;
  for (const p of run.protocols) st.protocols.add(p);
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
    protocol: st.protocols.size === 0 ? null : [...st.protocols].sort().join('+'),
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

async function runScenario(server: ServerProcess, ca: string | null, sc: Scenario, args: BenchArgs): Promise<Row[]> {
  const origin = server.origins[sc.listener];
  if (origin === null) throw new Error(`${sc.id}: the server has no ${sc.listener} listener`);
  const target = { origin, ca: sc.listener === 'http' ? null : ca, protocol: sc.protocol, concurrency: sc.concurrency };
  const states: ClientState[] = [];
  for (const name of sc.clients) {
    const st: ClientState = { name, client: null, runs: [], connections: 0, protocols: new Set(), error: null };
    try {
      st.client = await createClient(name, target);
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

/** Certificates when a selected scenario needs TLS; the TLS scenarios become skips when they cannot be made. */
async function certsFor(selected: readonly Scenario[]): Promise<{ certs: BenchCerts | null; skipped: Skipped[] }> {
  const tlsScenarios = selected.filter(needsTls);
  if (tlsScenarios.length === 0) return { certs: null, skipped: [] };
  const made = await makeCerts();
  if (!('skipped' in made)) return { certs: made, skipped: [] };
  progress(`skipping ${tlsScenarios.map((s) => s.id).join(', ')}: ${made.skipped}`);
  return { certs: null, skipped: tlsScenarios.map((s) => ({ scenario: s.id, reason: made.skipped })) };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const selected = args.only.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => args.only.includes(s.id));
  if (selected.length === 0) throw new Error(`--only matched no scenario (ids: ${SCENARIOS.map((s) => s.id).join(', ')})`);
  const { certs, skipped } = await certsFor(selected);
  const scenarios = selected.filter((s) => !skipped.some((k) => k.scenario === s.id));
  const rows: Row[] = [];
  try {
    // Every selected scenario skipped: nothing to serve, only the reasons to print.
    const server = scenarios.length === 0 ? null : await startServerProcess(certs);
    if (server !== null) {
      try {
        for (const sc of scenarios) rows.push(...(await runScenario(server, certs?.ca ?? null, sc, args)));
      } finally {
        await server.stop();
      }
    }
  } finally {
    certs?.remove();
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
    console.log(JSON.stringify({ env, scenarios, rows, ratios: ratios(rows), skipped }, null, 2));
  } else {
    console.log(`node ${env.node}, ${env.cpus} x ${env.cpu}; ${env.durationS}s per client per round, ${env.rounds} round(s), warm-up ${env.warmupS}s`);
    for (const sc of scenarios) console.log(`  ${sc.id.padEnd(10)} ${sc.what}`);
    console.log('');
    console.log(renderTable(rows, skipped));
  }
  // A skip is the machine lacking openssl, not a wrong result: it does not fail the run.
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
