// The HTTP/2 memory figures (issue 17: what the HTTP/2 engine costs held open), against the
// Node server child over TLS (bench/h2-handler.ts: /slow/<ms> sends the response headers at
// once and the body <ms> later, so the stream stays open; nginx cannot hold an answer back):
//   - per idle HTTP/2 session: one GET /small to each of H2_IDLE_SESSIONS HTTP/2 listeners
//     (distinct ports: one pool host and one session each), bodies read, the sessions left
//     open and idle; growth after a full GC divided by the sessions the server saw opened. The
//     figure includes each host's pool entry, which one session per host carries anyway;
//   - per open HTTP/2 stream: one session (maxConnsPerHost 1) already open, H2_STREAMS GETs
//     of /slow/<ms>, measured once the server has sent every response's headers and the client
//     has every response (the bodies still to come); growth / H2_STREAMS.
// httpool runs in this process (heap + external, process.memoryUsage(), as bench/memory.ts).
// Go's client runs the same two figures in its own process (bench/go/main.go memory mode,
// GOMAXPROCS=1): runtime.MemStats HeapAlloc + StackInuse after runtime.GC(), which is Go's
// whole heap and its goroutine stacks; not the same instrument as Node's heap + external, so
// the two columns compare in kind, not to the byte. node:http2 and undici are not measured.

import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fullGc } from './gc.js';
import type { GoBinary } from './go-runner.js';
import { onCpu } from './pin.js';
import { stopChild } from './server-process.js';
import type { NodeServerProcess } from './spawn.js';

export const H2_IDLE_SESSIONS = 100;
export const H2_STREAMS = 256;
const STREAM_HOLD_MS = 3_000;
const WAIT_MS = 10_000;
const GO_TIMEOUT_MS = 60_000;
/**
 * Before each baseline: what was closed just before (the previous figure's sessions, the
 * HTTP/1.1 memory clients) finishes closing, so its memory is not freed during a measurement.
 * (Added for a per-stream figure half the usual one in full `npm run bench` runs; it did not
 * change that, see docs/BENCHMARKS.md, but is kept as a precaution.)
 */
const SETTLE_MS = 500;

async function settle(): Promise<void> {
  await sleep(SETTLE_MS);
  fullGc();
}

export type H2MemoryClient = 'httpool' | 'go';
export const H2_MEMORY_CLIENTS: readonly H2MemoryClient[] = ['httpool', 'go'];

export interface H2MemoryRow {
  client: H2MemoryClient;
  /** Sessions the server saw opened for the idle figure (should be H2_IDLE_SESSIONS). */
  idleSessions: number;
  /** Bytes per idle session (httpool: heap + external; Go: HeapAlloc + StackInuse). */
  idleBytesPerSession: number;
  /** Sessions the server saw opened for the stream figure (should be 1). */
  streamSessions: number;
  /** Bytes per open stream, same instruments. */
  streamBytesPerStream: number;
  /** httpool only: what its own stats() said (opened, and the sessions open), as a check. */
  check: string | null;
  error: string | null;
}

function heapAndExternal(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

type Httpool = typeof import('../src/index.js');

async function getAll(client: InstanceType<Httpool['Client']>, url: string): Promise<void> {
  const res = await client.get(url);
  let n = 0;
  for await (const chunk of res.body) n += chunk.byteLength;
  if (res.statusCode !== 200 || res.proto !== 'HTTP/2.0') throw new Error(`${url}: status ${res.statusCode} over ${res.proto}`);
  if (n === 0) throw new Error(`${url}: empty body`);
}

function stillOpen(t: InstanceType<Httpool['Transport']>): string {
  const s = t.stats().totals;
  return `opened ${s.opened}, open ${s.active + s.idle} (active ${s.active}, idle ${s.idle})`;
}

async function httpoolRow(server: NodeServerProcess, ca: string): Promise<H2MemoryRow> {
  const row: H2MemoryRow = { client: 'httpool', idleSessions: 0, idleBytesPerSession: Number.NaN, streamSessions: 0, streamBytesPerStream: Number.NaN, check: null, error: null };
  const hp = (await import('../src/index.js')) as Httpool;
  const h2 = server.origins.h2;
  if (h2 === null) throw new Error('the server has no h2 listener');
  const make = (maxConnsPerHost: number): { t: InstanceType<Httpool['Transport']>; c: InstanceType<Httpool['Client']> } => {
    const t = new hp.Transport({ tls: { ca }, maxConnsPerHost, maxIdleConns: 1_000, maxIdleConnsPerHost: 1_000 });
    return { t, c: new hp.Client({ transport: t, timeout: 30_000 }) };
  };
  // Warm-up: code loading, JIT and the TLS context's first use do not count.
  {
    const { t, c } = make(1);
    await Promise.all(Array.from({ length: 8 }, () => getAll(c, `${h2}/small`)));
    await getAll(c, `${h2}/slow/1`);
    await t.close();
  }
  const checks: string[] = [];
  // Idle sessions, one per origin.
  {
    const origins = server.h2IdleOrigins;
    if (origins.length === 0) throw new Error('the server has no idle-session listeners');
    await settle();
    const heap0 = heapAndExternal();
    const before = await server.counters();
    const { t, c } = make(1);
    try {
      // A few at a time, so the TLS handshakes do not all queue at once; bounded by the list.
      for (let i = 0; i < origins.length; i += 10) await Promise.all(origins.slice(i, i + 10).map((o) => getAll(c, `${o}/small`)));
      row.idleSessions = (await server.counters()).connections - before.connections;
      fullGc();
      row.idleBytesPerSession = (heapAndExternal() - heap0) / row.idleSessions;
      checks.push(`idle: ${stillOpen(t)}`);
    } finally {
      await t.close();
    }
  }
  // Streams held open on one session.
  {
    const { t, c } = make(1);
    try {
      const before = await server.counters();
      await getAll(c, `${h2}/slow/1`);
      await settle();
      const heap0 = heapAndExternal();
      const parked0 = (await server.counters()).parked;
      let headers = 0;
      const all = Promise.all(
        Array.from({ length: H2_STREAMS }, async () => {
          const res = await c.get(`${h2}/slow/${STREAM_HOLD_MS}`);
          headers++;
          let n = 0;
          for await (const chunk of res.body) n += chunk.byteLength;
          if (res.statusCode !== 200 || res.proto !== 'HTTP/2.0' || n !== 2) throw new Error(`/slow: status ${res.statusCode} over ${res.proto}, ${n} bytes`);
        }),
      );
      // Bounded wait until the server holds every stream and the client has every response head.
      const deadline = Date.now() + WAIT_MS;
      while (((await server.counters()).parked - parked0 < H2_STREAMS || headers < H2_STREAMS) && Date.now() < deadline) await sleep(20);
      const reached = headers;
      fullGc();
      const heap1 = heapAndExternal();
      checks.push(`streams: ${stillOpen(t)}, ${reached} response heads`);
      await all;
      if (reached < H2_STREAMS) throw new Error(`only ${reached} of ${H2_STREAMS} response heads within ${WAIT_MS} ms`);
      row.streamSessions = (await server.counters()).connections - before.connections;
      row.streamBytesPerStream = (heap1 - heap0) / H2_STREAMS;
    } finally {
      await t.close();
    }
  }
  row.check = checks.join('; ');
  return row;
}

interface GoMemJson {
  idleSessions?: unknown;
  idleBytesPerSession?: unknown;
  streams?: unknown;
  streamBytesPerStream?: unknown;
  protocols?: unknown;
  failure?: unknown;
}

async function goRow(server: NodeServerProcess, go: GoBinary, caPath: string, cpu: number | null): Promise<H2MemoryRow> {
  const row: H2MemoryRow = { client: 'go', idleSessions: 0, idleBytesPerSession: Number.NaN, streamSessions: 0, streamBytesPerStream: Number.NaN, check: null, error: null };
  const h2 = server.origins.h2;
  if (h2 === null) throw new Error('the server has no h2 listener');
  const before = await server.counters();
  const [cmd, args] = onCpu(cpu, go.path, [
    '-ca', caPath,
    '-mem-idle-urls', server.h2IdleOrigins.map((o) => `${o}/small`).join(','),
    '-mem-stream-url', `${h2}/slow/${STREAM_HOLD_MS}`,
    '-mem-streams', String(H2_STREAMS),
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOMAXPROCS: '1' } });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s.slice(0, 65_536)));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s.slice(0, 4_096)));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const timer = setTimeout(() => void stopChild(child), GO_TIMEOUT_MS);
  const code = await exited;
  clearTimeout(timer);
  const conns = (await server.counters()).connections - before.connections;
  let j: GoMemJson;
  try {
    j = JSON.parse(out.trim().split('\n').pop() ?? '') as GoMemJson;
  } catch {
    throw new Error(`go memory mode exited ${String(code)} without a result: ${err.trim().slice(0, 500)}`);
  }
  if (typeof j.failure === 'string') throw new Error(`go: ${j.failure}`);
  if (!Array.isArray(j.protocols) || j.protocols.some((p) => p !== 'HTTP/2.0')) throw new Error(`go: responses came over ${JSON.stringify(j.protocols)}`);
  row.idleSessions = typeof j.idleSessions === 'number' ? j.idleSessions : 0;
  row.idleBytesPerSession = typeof j.idleBytesPerSession === 'number' ? j.idleBytesPerSession : Number.NaN;
  row.streamBytesPerStream = typeof j.streamBytesPerStream === 'number' ? j.streamBytesPerStream : Number.NaN;
  // The server's count over both figures and the warm-up; Go's idle figure divides by the URLs.
  row.check = `server saw ${conns} sessions in all (1 warm-up, ${server.h2IdleOrigins.length} idle, 1 for the streams)`;
  row.streamSessions = conns - 1 - server.h2IdleOrigins.length;
  return row;
}

export async function measureH2Memory(
  server: NodeServerProcess,
  certs: { ca: string; caPath: string },
  clients: readonly H2MemoryClient[],
  go: GoBinary | null,
  cpu: number | null,
  progress: (s: string) => void,
): Promise<H2MemoryRow[]> {
  const rows: H2MemoryRow[] = [];
  for (const name of clients) {
    if (name === 'go' && go === null) continue;
    progress(`h2 memory ${name}: ${H2_IDLE_SESSIONS} idle sessions, then ${H2_STREAMS} open streams on one session`);
    try {
      rows.push(name === 'httpool' ? await httpoolRow(server, certs.ca) : await goRow(server, go!, certs.caPath, cpu));
    } catch (e) {
      rows.push({ client: name, idleSessions: 0, idleBytesPerSession: Number.NaN, streamSessions: 0, streamBytesPerStream: Number.NaN, check: null, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return rows;
}
