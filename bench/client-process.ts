// One Node client of one scenario, in a process of its own (bench/runner.ts starts it): only
// that client's library is loaded, so its garbage collector marks its own heap and nobody
// else's, as Go's client runs alone in its process. Measured in one shared process, each
// major GC marked every library's code and data, and the 1 MiB row, whose bodies' external
// memory sets V8 off on several major GCs a second, paid most: httpool's CPU per MiB went from
// about 330 µs alone to 460-750 µs beside the other seven clients.
//
// Protocol (bench/child-runner.ts): argv[2] is the client, argv[3] the target as JSON (the
// request body base64); each "run <ms>" line on stdin answers one JSON line on stdout; EOF on
// stdin closes the client and exits.

import { createInterface } from 'node:readline';
import { toRunJson, type TargetJson } from './child-runner.js';
import { createClient, type NodeClientName, type Target } from './clients.js';
import { fullGc } from './gc.js';
import { drive, type RunOptions } from './measure.js';

async function main(): Promise<void> {
  const name = process.argv[2] as NodeClientName;
  const t = JSON.parse(process.argv[3] ?? '{}') as TargetJson;
  const target: Target = { ...t, body: t.body === null ? null : Buffer.from(t.body, 'base64') };
  const client = await createClient(name, target);
  const opts = (durationMs: number): RunOptions => ({ expectBytes: t.expectBytes, expectProtocol: target.protocol, concurrency: target.concurrency, durationMs });
  for await (const line of createInterface({ input: process.stdin })) {
    const m = /^run (\d+)$/.exec(line);
    if (m === null) continue;
    // A clean heap for every run, so one run's garbage is not collected on the next one's time.
    fullGc();
    const result = await drive(client, opts(Number(m[1])));
    process.stdout.write(JSON.stringify(toRunJson(result)) + '\n');
  }
  await client.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
