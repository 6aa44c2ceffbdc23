// One client of one scenario, as the scenario loop sees it: run for a duration, get figures
// back. In-process Node clients wrap bench/measure.ts's drive(); Go's client is another
// process speaking the same RunResult (bench/go-runner.ts).

import { createClient, type ClientName, type NodeClientName, type Target } from './clients.js';
import { fullGc } from './gc.js';
import { drive, type RunResult } from './measure.js';

export interface Runner {
  readonly name: ClientName;
  run(durationMs: number): Promise<RunResult>;
  close(): Promise<void>;
}

export interface Expect {
  expectBytes: number;
}

export async function nodeRunner(name: NodeClientName, target: Target, expect: Expect): Promise<Runner> {
  const client = await createClient(name, target);
  return {
    name,
    run(durationMs) {
      fullGc();
      return drive(client, { expectBytes: expect.expectBytes, expectProtocol: target.protocol, concurrency: target.concurrency, durationMs });
    },
    close: () => client.close(),
  };
}
