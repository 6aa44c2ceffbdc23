// `npm run bench`: httpool against undici (Pool.request, and bare Clients), node:http(2),
// fetch, axios, got and Go's net/http client, side by side in one run, against nginx (or the
// Node server child as a fallback) on CPU 0 with the clients on CPU 1 (bench/pin.ts). For each
// scenario every client warms up, then the rounds run with the clients rotated each round
// (A/B alternation), so drift in the machine's speed hits all of them alike; the table shows
// medians over the rounds. Then the memory figures (bench/memory.ts, and the HTTP/2 ones of
// httpool and Go, bench/memory-h2.ts). Progress goes to
// stderr, results to stdout. Every process and temp dir it makes is stopped or removed at
// the end, on failure and on Ctrl-C (bench/cleanup.ts).

import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, type BenchArgs } from './args.js';
import { makeCerts, type BenchCerts } from './certs.js';
import { installSignalCleanup } from './cleanup.js';
import type { ClientName, Protocol, Target } from './clients.js';
import { buildGo, goRunner, type GoBinary } from './go-runner.js';
import { describeMachine, machineLines } from './machine.js';
import type { RunResult } from './measure.js';
import { MEMORY_CLIENTS, measureMemory, type MemoryRow } from './memory.js';
import { H2_IDLE_SESSIONS, H2_MEMORY_CLIENTS, measureH2Memory, type H2MemoryRow } from './memory-h2.js';
import { findNginx, startNginx } from './nginx.js';
import { canPin, cpus, isPinned, reexecPinned } from './pin.js';
import { ratios, renderH2Memory, renderMemory, renderTable, type Row, type Skipped } from './report.js';
import { nodeRunner, type Runner } from './runner.js';
import { MEMORY_ID, needsTls, SCENARIOS, type Scenario } from './scenarios.js';
import type { ServerProcess } from './server-process.js';
import { startNodeServer } from './spawn.js';
import { hottest } from './profile-summary.js';
import { median, spread } from './stats.js';

const CLOSE_TIMEOUT_MS = 5_000;

interface ClientState {
  name: ClientName;
  runner: Runner | null;
  runs: RunResult[];
  /** The server's CPU use during each measured run, % of one core. */
  serverCpu: number[];
  connections: number;
  protocols: Set<Protocol>;
  error: string | null;
}

interface Context {
  args: BenchArgs;
  server: ServerProcess;
  certs: BenchCerts | null;
  go: GoBinary | null;
  clientCpu: number | null;
}

function message(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

/** One run with the server's connection count and CPU time around it, attributed to this client. */
async function measured(ctx: Context, st: ClientState, durationMs: number): Promise<{ run: RunResult; serverCpuPct: number } | null> {
  if (st.runner === null) return null;
  const before = await ctx.server.counters();
  const cpu0 = ctx.server.cpuMs();
  const run = await st.runner.run(durationMs);
  const cpu1 = ctx.server.cpuMs();
  const after = await ctx.server.counters();
  st.connections += after.connections - before.connections;
  for (const p of run.protocols) st.protocols.add(p);
  if (run.failure !== null) {
    st.error ??= run.failure;
    // A hung client would poison every later run: retire it.
    if (run.failure.startsWith('hung')) await closeClient(st);
  }
  return { run, serverCpuPct: run.elapsedMs > 0 ? ((cpu1 - cpu0) / run.elapsedMs) * 100 : Number.NaN };
}

async function closeClient(st: ClientState): Promise<void> {
  const runner = st.runner;
  st.runner = null;
  if (runner === null) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      st.error ??= `close() did not finish within ${CLOSE_TIMEOUT_MS} ms`;
      resolve();
    }, CLOSE_TIMEOUT_MS);
  });
  try {
    await Promise.race([runner.close(), timeout]);
  } catch (err) {
    st.error ??= `close() failed: ${message(err)}`;
  } finally {
    clearTimeout(timer);
  }
}

function toRow(sc: Scenario, st: ClientState): Row {
  const runs = st.runs;
  const rps = runs.map((r) => (r.elapsedMs > 0 ? (r.requests * 1000) / r.elapsedMs : 0));
  return {
    scenario: sc.id,
    client: st.name,
    protocol: st.protocols.size === 0 ? null : [...st.protocols].sort().join('+'),
    concurrency: sc.concurrency,
    requests: runs.reduce((n, r) => n + r.requests, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    reqPerSec: median(rps),
    mbPerSec: median(runs.map((r) => (r.elapsedMs > 0 ? r.bytes / 1e3 / r.elapsedMs : 0))),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    cpuUsPerReq: median(runs.map((r) => (r.requests > 0 ? (r.cpuMs * 1000) / r.requests : Number.NaN))),
    serverCpuPct: median(st.serverCpu),
    roundReqPerSec: rps,
    spread: spread(rps),
    connections: runs.length > 0 ? st.connections : null,
    error: st.error,
  };
}

function targetOf(ctx: Context, sc: Scenario): Target {
  const origin = ctx.server.origins[sc.listener];
  if (origin === null) throw new Error(`${sc.id}: the server has no ${sc.listener} listener`);
  const ca = needsTls(sc) ? (ctx.certs?.ca ?? null) : null;
  return {
    origin,
    ca,
    protocol: sc.protocol,
    concurrency: sc.concurrency,
    ...(sc.maxConns === undefined ? {} : { maxConns: sc.maxConns }),
    method: sc.method,
    path: sc.path,
    body: sc.body,
  };
}

async function createRunner(ctx: Context, name: ClientName, sc: Scenario, target: Target): Promise<Runner> {
  const expect = { expectBytes: sc.expectBytes };
  if (name !== 'go') {
    const profile = ctx.args.profileDir === null ? null : join(resolve(ctx.args.profileDir), `${sc.id}-${name.replace(':', '-')}.cpuprofile`);
    return nodeRunner(name, target, expect, ctx.clientCpu, profile);
  }
  if (ctx.go === null) throw new Error('go client unavailable');
  return goRunner(ctx.go, target, expect, ctx.clientCpu, target.ca === null ? null : (ctx.certs?.caPath ?? null));
}

async function runScenario(ctx: Context, sc: Scenario, clients: readonly ClientName[]): Promise<Row[]> {
  const { args } = ctx;
  const target = targetOf(ctx, sc);
  const states: ClientState[] = [];
  try {
    for (const name of clients) {
      const st: ClientState = { name, runner: null, runs: [], serverCpu: [], connections: 0, protocols: new Set(), error: null };
      states.push(st);
      try {
        st.runner = await createRunner(ctx, name, sc, target);
      } catch (err) {
        st.error = `could not create the client: ${message(err)}`;
      }
    }
    if (args.warmupS > 0) {
      for (const st of states) {
        if (st.runner === null) continue;
        progress(`${sc.id} ${st.name} warm-up ${args.warmupS}s`);
        await measured(ctx, st, args.warmupS * 1000);
      }
    }
    for (let round = 0; round < args.rounds; round++) {
      for (let i = 0; i < states.length; i++) {
        const st = states[(i + round) % states.length];
        if (st === undefined || st.runner === null) continue;
        progress(`${sc.id} ${st.name} round ${round + 1}/${args.rounds} ${args.durationS}s`);
        const m = await measured(ctx, st, args.durationS * 1000);
        if (m !== null) {
          st.runs.push(m.run);
          st.serverCpu.push(m.serverCpuPct);
        }
      }
    }
  } finally {
    for (const st of states) await closeClient(st);
  }
  return states.map((st) => toRow(sc, st));
}

/** Certificates when a selected scenario needs TLS; the TLS scenarios become skips when they cannot be made. */
async function certsFor(selected: readonly Scenario[], h2Memory: boolean): Promise<{ certs: BenchCerts | null; skipped: Skipped[] }> {
  const tlsScenarios = selected.filter(needsTls);
  if (tlsScenarios.length === 0 && !h2Memory) return { certs: null, skipped: [] };
  const made = await makeCerts();
  if (!('skipped' in made)) return { certs: made, skipped: [] };
  const ids = [...tlsScenarios.map((s) => s.id), ...(h2Memory ? [H2_MEMORY_ID] : [])];
  progress(`skipping ${ids.join(', ')}: ${made.skipped}`);
  return { certs: null, skipped: ids.map((id) => ({ scenario: id, reason: made.skipped })) };
}

/** How a skip of the HTTP/2 memory figures is named (they run with --only memory). */
const H2_MEMORY_ID = 'memory (HTTP/2)';

function estimateSeconds(args: BenchArgs, scenarios: readonly Scenario[], clientsOf: (sc: Scenario) => readonly ClientName[], memory: boolean, h2Memory: boolean): number {
  const perClient = args.warmupS + args.rounds * args.durationS + 0.3;
  return Math.round(scenarios.reduce((s, sc) => s + clientsOf(sc).length * perClient, 0) + (memory ? 25 : 0) + (h2Memory ? 20 : 0) + 5);
}

async function startServer(args: BenchArgs, certs: BenchCerts | null, cpu: number | null): Promise<ServerProcess> {
  const nginx = findNginx();
  const kind = args.server ?? (nginx !== null ? 'nginx' : 'node');
  if (kind === 'nginx') {
    if (nginx === null) throw new Error('--server nginx: nginx is not installed (looked in /usr/sbin, /usr/local/sbin, /usr/bin)');
    return startNginx(nginx, certs, cpu);
  }
  return startNodeServer(certs, cpu);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.pin && !isPinned() && canPin()) return reexecPinned();
  installSignalCleanup();
  if (args.profileDir !== null) mkdirSync(resolve(args.profileDir), { recursive: true });
  const cpu = cpus();
  const pinning =
    cpu.client === null
      ? `not pinned${args.pin ? ' (taskset missing or fewer than 2 CPUs)' : ' (--no-pin)'}`
      : `server on CPU ${String(cpu.server)}, clients on CPU ${cpu.client} (taskset), Go with GOMAXPROCS=1`;
  const wanted = (id: string): boolean => args.only.length === 0 || args.only.includes(id);
  const clientsOf = (sc: Scenario): readonly ClientName[] => sc.clients.filter((c) => args.clients.length === 0 || args.clients.includes(c));
  const selected = SCENARIOS.filter((s) => wanted(s.id) && clientsOf(s).length > 0);
  const memoryClients = MEMORY_CLIENTS.filter((c) => args.clients.length === 0 || args.clients.includes(c));
  const doMemory = wanted(MEMORY_ID) && memoryClients.length > 0;
  const h2MemoryClients = H2_MEMORY_CLIENTS.filter((c) => args.clients.length === 0 || args.clients.includes(c));
  const doH2Memory = wanted(MEMORY_ID) && h2MemoryClients.length > 0;
  progress(`about ${estimateSeconds(args, selected, clientsOf, doMemory, doH2Memory)} s; ${pinning}`);

  const skipped: Skipped[] = [];
  let go: GoBinary | null = null;
  let goNote: string | null = null;
  if (selected.some((s) => clientsOf(s).includes('go')) || (doH2Memory && h2MemoryClients.includes('go'))) {
    progress('building bench/go/main.go');
    const built = await buildGo();
    if ('skipped' in built) {
      progress(`no go rows: ${built.skipped}`);
      skipped.push({ scenario: 'go', reason: built.skipped });
      goNote = `go: not measured (${built.skipped})`;
    } else go = built;
  }
  const { certs, skipped: tlsSkipped } = await certsFor(selected, doH2Memory);
  skipped.push(...tlsSkipped);
  const scenarios = selected.filter((s) => !tlsSkipped.some((k) => k.scenario === s.id));
  const rows: Row[] = [];
  let memory: MemoryRow[] = [];
  let h2Memory: H2MemoryRow[] = [];
  let serverText = '';
  try {
    if (scenarios.length > 0) {
      const server = await startServer(args, certs, cpu.server);
      serverText = server.description;
      progress(`server: ${server.description}`);
      const ctx: Context = { args, server, certs, go, clientCpu: cpu.client };
      try {
        for (const sc of scenarios) {
          const clients = clientsOf(sc).filter((c) => c !== 'go' || go !== null);
          rows.push(...(await runScenario(ctx, sc, clients)));
        }
      } finally {
        await server.stop();
      }
    }
    const h2MemoryCerts = doH2Memory ? certs : null;
    if (doMemory || h2MemoryCerts !== null) {
      const node = await startNodeServer(h2MemoryCerts, cpu.server, h2MemoryCerts === null ? 0 : H2_IDLE_SESSIONS);
      progress(`memory figures against ${node.description}`);
      try {
        if (doMemory) memory = await measureMemory(node, memoryClients, progress);
        if (h2MemoryCerts !== null) h2Memory = await measureH2Memory(node, h2MemoryCerts, h2MemoryClients, go, cpu.client, progress);
      } finally {
        await node.stop();
      }
    }
  } finally {
    certs?.remove();
    go?.remove();
  }
  const machine = describeMachine(serverText || 'none', go?.version ?? null, pinning);
  if (args.json) {
    console.log(JSON.stringify({ machine, args, scenarios: scenarios.map(({ body, ...s }) => ({ ...s, bodyBytes: body?.length ?? 0 })), rows, ratios: ratios(rows), memory, h2Memory, skipped }, null, 2));
  } else {
    for (const line of machineLines(machine)) console.log(line);
    console.log(`${args.rounds} round(s) of ${args.durationS}s per client, warm-up ${args.warmupS}s, clients rotated each round`);
    for (const sc of scenarios) console.log(`  ${sc.id.padEnd(10)} ${sc.what}`);
    console.log('');
    if (rows.length > 0 || skipped.length > 0) console.log(renderTable(rows, skipped));
    if (memory.length > 0) {
      console.log('');
      console.log(renderMemory(memory));
    }
    if (h2Memory.length > 0) {
      console.log('');
      console.log(renderH2Memory(h2Memory, goNote));
    }
    if (args.profileDir !== null) printProfiles(args.profileDir, scenarios);
  }
  // A skip is the machine lacking a tool, not a wrong result: it does not fail the run.
  return rows.some((r) => r.error !== null) || memory.some((m) => m.error !== null) || h2Memory.some((m) => m.error !== null) ? 1 : 0;
}

/** Each scenario's httpool profile: where its process spent its time, costliest first. */
function printProfiles(dir: string, scenarios: readonly Scenario[]): void {
  console.log('');
  console.log(`CPU profiles in ${resolve(dir)} (one per Node client and scenario; self time, % of the busy samples):`);
  for (const sc of scenarios) {
    const file = join(resolve(dir), `${sc.id}-httpool.cpuprofile`);
    if (!existsSync(file)) continue;
    console.log(`  ${sc.id} httpool:`);
    for (const h of hottest(file)) console.log(`    ${h.pct.toFixed(1).padStart(5)}%  ${h.name}`);
  }
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
