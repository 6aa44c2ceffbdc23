// The three clients the benchmark compares, behind one small interface. Each reads every
// response body to its end and returns the byte count, so all three do the same work and a
// short body is caught. httpool is imported lazily: if the library fails to load or to
// construct, only its rows report the error and the other clients still run.

import http from 'node:http';
import { Pool } from 'undici';

export type ClientName = 'httpool' | 'undici' | 'node:http';
export const CLIENT_NAMES: readonly ClientName[] = ['httpool', 'undici', 'node:http'];

export interface BenchClient {
  readonly name: ClientName;
  /** One GET of `path`, body read to the end; resolves to the number of body bytes. */
  get(path: string): Promise<number>;
  close(): Promise<void>;
}

/** Generous: a request that takes this long is a bug, not a data point. */
const REQUEST_TIMEOUT_MS = 30_000;

async function httpoolClient(origin: string, concurrency: number): Promise<BenchClient> {
  const hp = await import('../src/index.js');
  // Same connection budget as the other two: at most `concurrency` connections, all kept idle.
  const transport = new hp.Transport({
    maxIdleConnsPerHost: Math.max(concurrency, 2),
    maxConnsPerHost: concurrency,
  });
  const client = new hp.Client({ transport, timeout: REQUEST_TIMEOUT_MS });
  return {
    name: 'httpool',
    async get(path) {
      const res = await client.get(origin + path);
      if (res.statusCode !== 200) {
        await res.body.close();
        throw new Error(`httpool: status ${res.statusCode}`);
      }
      let n = 0;
      for await (const chunk of res.body) n += chunk.byteLength;
      return n;
    },
    close: () => transport.close(),
  };
}

async function undiciClient(origin: string, concurrency: number): Promise<BenchClient> {
  const pool = new Pool(origin, {
    connections: concurrency,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  return {
    name: 'undici',
    async get(path) {
      const { statusCode, body } = await pool.request({ path, method: 'GET' });
      if (statusCode !== 200) {
        await body.dump();
        throw new Error(`undici: status ${statusCode}`);
      }
      // Not body.dump(): past its 128 KiB limit it destroys the connection instead of reading.
      let n = 0;
      for await (const chunk of body) n += (chunk as Buffer).length;
      return n;
    },
    close: () => pool.close(),
  };
}

async function nodeHttpClient(origin: string, concurrency: number): Promise<BenchClient> {
  const { hostname, port } = new URL(origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  return {
    name: 'node:http',
    get(path) {
      return new Promise<number>((resolve, reject) => {
        const req = http.get({ host: hostname, port, path, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`node:http: status ${String(res.statusCode)}`));
            return;
          }
          let n = 0;
          res.on('data', (chunk: Buffer) => {
            n += chunk.length;
          });
          res.on('end', () => resolve(n));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error('node:http: timeout')));
        req.on('error', reject);
      });
    },
    async close() {
      agent.destroy();
    },
  };
}

export function createClient(name: ClientName, origin: string, concurrency: number): Promise<BenchClient> {
  switch (name) {
    case 'httpool':
      return httpoolClient(origin, concurrency);
    case 'undici':
      return undiciClient(origin, concurrency);
    case 'node:http':
      return nodeHttpClient(origin, concurrency);
  }
}
