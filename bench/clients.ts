// The Node clients the benchmark compares, behind one small interface. Each reads
// every response body to its end and returns the byte count, so all of them do the same work
// and a short body is caught, and names the protocol the response came over, so a TLS row
// cannot quietly measure something else (bench/measure.ts checks both). Each client lives in
// its own file, imported only when that client is made, so a client process (bench/
// client-process.ts) holds one library, and one that fails to load fails only its own rows.
// Go's client is not here: it is its own binary (bench/go-runner.ts).

import type { BenchClient, ClientName, Target } from './client-common.js';

export type { BenchClient, CallResult, ClientName, Method, Protocol, Target } from './client-common.js';

export type NodeClientName = Exclude<ClientName, 'go'>;

/** Each client's file is imported only when that client is made: a client process loads one library. */
export async function createClient(name: NodeClientName, target: Target): Promise<BenchClient> {
  switch (name) {
    case 'httpool':
      return (await import('./client-httpool.js')).httpoolClient(target);
    case 'undici':
      return (await import('./client-undici.js')).undiciClient(target);
    case 'undici-client':
      return (await import('./client-undici-client.js')).undiciBareClient(target);
    case 'node:http':
      return (await import('./client-node-http.js')).nodeHttpClient(target);
    case 'node:http2':
      return (await import('./client-node-http2.js')).nodeHttp2Client(target);
    case 'fetch':
      return (await import('./client-fetch.js')).fetchClient(target);
    case 'axios':
      return (await import('./client-axios.js')).axiosClient(target);
    case 'got':
      return (await import('./client-got.js')).gotClient(target);
  }
}
