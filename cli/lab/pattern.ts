// What a lab pattern is (the caller code for each client, run against a fresh server), and
// the helpers the patterns share: a fresh httpool Transport per run, Node's global fetch as
// callers use it, and a one-shot stream body.

import type { LabServer, LabServerOptions } from './server.js';
import { UPLOAD_BYTES } from './server.js';
import { newOutcome, type Httpool, type Outcome } from './outcome.js';

export interface RunContext {
  server: LabServer;
  /** Loads httpool; throws (failing only this row) when the library does not load. */
  httpool(): Promise<Httpool>;
}

export interface LabRun {
  client: string;
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
  const transport = new hp.Transport(options);
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
