// The in-process Node clients the benchmark compares, behind one small interface. Each reads
// every response body to its end and returns the byte count, so all of them do the same work
// and a short body is caught, and names the protocol the response came over, so a TLS row
// cannot quietly measure something else (bench/measure.ts checks both). Each client lives in
// its own file; httpool and got are imported lazily there, so if one fails to load only its
// rows say so. Go's client is not here: it runs in its own process (bench/go-runner.ts).

import { axiosClient } from './client-axios.js';
import { fetchClient } from './client-fetch.js';
import { gotClient } from './client-got.js';
import { httpoolClient } from './client-httpool.js';
import { nodeHttpClient } from './client-node-http.js';
import { nodeHttp2Client } from './client-node-http2.js';
import { undiciBareClient } from './client-undici-client.js';
import { undiciClient } from './client-undici.js';
import type { BenchClient, ClientName, Target } from './client-common.js';

export type { BenchClient, CallResult, ClientName, Method, Protocol, Target } from './client-common.js';

export type NodeClientName = Exclude<ClientName, 'go'>;

export function createClient(name: NodeClientName, target: Target): Promise<BenchClient> {
  switch (name) {
    case 'httpool':
      return httpoolClient(target);
    case 'undici':
      return undiciClient(target);
    case 'undici-client':
      return undiciBareClient(target);
    case 'node:http':
      return nodeHttpClient(target);
    case 'node:http2':
      return nodeHttp2Client(target);
    case 'fetch':
      return fetchClient(target);
    case 'axios':
      return axiosClient(target);
    case 'got':
      return gotClient(target);
  }
}
