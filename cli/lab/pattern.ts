// What a lab pattern is (the same caller code written for each client, run against a fresh
// server), and one helper per client that gives a run its client and hands back what to close:
// Node's global fetch as callers use it, node:http with one keep-alive Agent, an undici Pool,
// and a fresh httpool Transport.

import http from 'node:http';
import type { LabServer, LabServerOptions } from './server.js';
import { UPLOAD_BYTES } from './server.js';
import { newOutcome, type Httpool, type Outcome, type Undici } from './outcome.js';

/** Which library a row exercises; only httpool publishes the diagnostics channels a timeline needs. */
export type Library = 'fetch' | 'node:http' | 'undici' | 'httpool';

export interface RunContext {
  server: LabServer;
  /** Loads httpool; throws (failing only this row) when the library does not load. */
  httpool(): Promise<Httpool>;
  /** Loads undici; the lab skips undici rows up front when it is not installed. */
  undici(): Promise<Undici>;
}

export interface LabRun {
  client: string;
  library: Library;
  /** One sentence: what this client's code does here and what follows on the wire. */
  explains: string;
  run(ctx: RunContext): Promise<Outcome>;
}

export interface Pattern {
  id: string;
  seed: string;
  /** One sentence: the failure this pattern reproduces. */
  explains: string;
  server?: LabServerOptions;
  runs: LabRun[];
}

/** A one-shot request body: 64 KiB in 16 KiB chunks, length unknown up front (chunked). */
export function uploadStream(): ReadableStream<Uint8Array> {
  const chunk = 16 * 1024;
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= UPLOAD_BYTES) {
        controller.close();
        return;
      }
      controller.enqueue(new Uint8Array(chunk).fill(0x75));
      sent += chunk;
    },
  });
}

/** A fresh httpool Transport and Client for one run; the row shows the transport's close reasons. */
export async function httpoolRun(
  ctx: RunContext,
  options: ConstructorParameters<Httpool['Transport']>[0],
  body: (client: InstanceType<Httpool['Client']>, out: Outcome) => Promise<void>,
): Promise<Outcome> {
  const hp = await ctx.httpool();
  // The row shows what the pool did; a run-time pool warning in the middle of the table would
  // say the same thing out of place (and rows mis-size pools on purpose).
  const transport = new hp.Transport({ warnOnPoolMisuse: false, ...options });
  const client = new hp.Client({ transport, timeout: 10_000 });
  const out: Outcome = { ...newOutcome(), transport, release: () => transport.close() };
  try {
    await body(client, out);
  } catch (err) {
    await transport.close(); // the row fails, but leaves no sockets behind
    throw err;
  }
  return out;
}

/** fetch has no client object to create: every run uses Node's global one, as callers do. */
export async function fetchRun(body: (out: Outcome) => Promise<void>): Promise<Outcome> {
  const out = newOutcome();
  await body(out);
  return out;
}

/**
 * One keep-alive Agent shared by every request of the run: how node:http is meant to be used
 * (the default agent is not keep-alive before Node 19, and callers pass their own).
 */
export async function nodeHttpRun(body: (agent: http.Agent, out: Outcome) => Promise<void>): Promise<Outcome> {
  const agent = new http.Agent({ keepAlive: true });
  const out: Outcome = { ...newOutcome(), release: async () => agent.destroy() };
  try {
    await body(agent, out);
  } catch (err) {
    agent.destroy();
    throw err;
  }
  return out;
}

/** One undici Pool for the server's origin, shared by every request of the run. */
export async function undiciRun(
  ctx: RunContext,
  body: (pool: InstanceType<Undici['Pool']>, out: Outcome) => Promise<void>,
): Promise<Outcome> {
  const undici = await ctx.undici();
  const pool = new undici.Pool(ctx.server.url(''));
  const out: Outcome = { ...newOutcome(), release: () => pool.destroy() };
  try {
    await body(pool, out);
  } catch (err) {
    await pool.destroy();
    throw err;
  }
  return out;
}
