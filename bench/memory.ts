// Two memory figures, in this process, against the Node server child (its /slow/<ms> path
// holds answers back; nginx cannot without a module):
//   - per idle connection: open N keep-alive connections (N requests at once, each held
//     200 ms, so none can reuse another's connection), let them finish, collect garbage, and
//     divide the growth of heap + external memory (and of RSS, a coarser view) by the
//     connections the server saw opened;
//   - per in-flight request: with the connections already open (a first burst), start 256
//     requests that the server holds for 1.5 s, wait until the server has all of them, collect garbage, and divide
//     the heap + external growth by 256.
// Each client is first exercised once and closed, so code loading and JIT do not count.

import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type BenchClient, type NodeClientName, type Target } from './clients.js';
import { fullGc } from './gc.js';
import type { NodeServerProcess } from './spawn.js';

export const IDLE_CONNS = 200;
export const IN_FLIGHT = 256;
const OPEN_HOLD_MS = 200;
const IN_FLIGHT_HOLD_MS = 1_500;
const PARK_WAIT_MS = 10_000;

export const MEMORY_CLIENTS: readonly NodeClientName[] = ['httpool', 'undici', 'undici-client', 'node:http'];

export interface MemoryRow {
  client: NodeClientName;
  /** Connections the server saw the client open for the idle figure (should be IDLE_CONNS). */
  idleConns: number;
  /** Bytes of heap + external per idle connection. */
  idleHeapPerConn: number;
  /** Bytes of RSS per idle connection. */
  idleRssPerConn: number;
  /** Bytes of heap + external per request in flight. */
  inFlightHeapPerReq: number;
  error: string | null;
}

function heapAndExternal(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

function target(origin: string, concurrency: number, holdMs: number): Target {
  return { origin, ca: null, protocol: 'HTTP/1.1', concurrency, method: 'GET', path: `/slow/${holdMs}`, body: null };
}

async function burst(client: BenchClient, n: number): Promise<void> {
  const results = await Promise.all(Array.from({ length: n }, () => client.call()));
  const bad = results.find((r) => r.bytes !== 2);
  if (bad !== undefined) throw new Error(`a /slow answer was ${bad.bytes} bytes, expected 2`);
}

async function idleFigure(name: NodeClientName, server: NodeServerProcess): Promise<Pick<MemoryRow, 'idleConns' | 'idleHeapPerConn' | 'idleRssPerConn'>> {
  fullGc();
  const heap0 = heapAndExternal();
  const rss0 = process.memoryUsage().rss;
  const before = await server.counters();
  const client = await createClient(name, target(server.origins.http, IDLE_CONNS, OPEN_HOLD_MS));
  try {
    await burst(client, IDLE_CONNS);
    const conns = (await server.counters()).connections - before.connections;
    fullGc();
    const heap1 = heapAndExternal();
    const rss1 = process.memoryUsage().rss;
    const per = (d: number): number => (conns > 0 ? d / conns : Number.NaN);
    return { idleConns: conns, idleHeapPerConn: per(heap1 - heap0), idleRssPerConn: per(rss1 - rss0) };
  } finally {
    await client.close();
  }
}

async function inFlightFigure(name: NodeClientName, server: NodeServerProcess): Promise<number> {
  const client = await createClient(name, target(server.origins.http, IN_FLIGHT, IN_FLIGHT_HOLD_MS));
  try {
    // A first burst opens the connections, so the figure is the requests' own cost.
    await burst(client, IN_FLIGHT);
    fullGc();
    const heap0 = heapAndExternal();
    const parked0 = (await server.counters()).parked;
    const all = burst(client, IN_FLIGHT);
    // Bounded wait until the server holds every request (so each is fully sent and waiting).
    const deadline = Date.now() + PARK_WAIT_MS;
    while ((await server.counters()).parked - parked0 < IN_FLIGHT && Date.now() < deadline) await sleep(20);
    fullGc();
    const heap1 = heapAndExternal();
    await all;
    return (heap1 - heap0) / IN_FLIGHT;
  } finally {
    await client.close();
  }
}

export async function measureMemory(server: NodeServerProcess, clients: readonly NodeClientName[], progress: (s: string) => void): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const name of clients) {
    const row: MemoryRow = { client: name, idleConns: 0, idleHeapPerConn: Number.NaN, idleRssPerConn: Number.NaN, inFlightHeapPerReq: Number.NaN, error: null };
    try {
      progress(`memory ${name}: warm-up`);
      const warm = await createClient(name, target(server.origins.http, 8, 1));
      await burst(warm, 8);
      await warm.close();
      progress(`memory ${name}: ${IDLE_CONNS} idle connections`);
      Object.assign(row, await idleFigure(name, server));
      progress(`memory ${name}: ${IN_FLIGHT} requests in flight`);
      row.inFlightHeapPerReq = await inFlightFigure(name, server);
    } catch (err) {
      row.error = err instanceof Error ? err.message : String(err);
    }
    rows.push(row);
  }
  return rows;
}
