// The clients the benchmark compares, behind one small interface. Each reads every response
// body to its end and returns the byte count, so all of them do the same work and a short
// body is caught, and names the protocol the response came over, so a TLS row cannot quietly
// measure something else (bench/measure.ts checks both). Each client lives in its own file;
// httpool is imported lazily there, so if the library fails to load only its rows say so.

import { httpoolClient } from './client-httpool.js';
import { nodeHttpClient } from './client-node-http.js';
import { nodeHttp2Client } from './client-node-http2.js';
import { undiciClient } from './client-undici.js';
import type { BenchClient, ClientName, Target } from './client-common.js';

export type { BenchClient, ClientName, GetResult, Protocol, Target } from './client-common.js';

export function createClient(name: ClientName, target: Target): Promise<BenchClient> {
  switch (name) {
    case 'httpool':
      return httpoolClient(target);
    case 'undici':
      return undiciClient(target);
    case 'node:http':
      return nodeHttpClient(target);
    case 'node:http2':
      return nodeHttp2Client(target);
  }
}
