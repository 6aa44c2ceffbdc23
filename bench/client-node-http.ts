// node:http's row (node:https for https origins): a keep-alive Agent with `maxSockets` as the
// connection budget. It speaks HTTP/1.1 only, over TCP or TLS.

import http from 'node:http';
import https from 'node:https';
import type { BenchClient, Target } from './client-common.js';
import { REQUEST_TIMEOUT_MS } from './client-common.js';

export async function nodeHttpClient(target: Target): Promise<BenchClient> {
  const { hostname, port, protocol } = new URL(target.origin);
  const secure = protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: target.concurrency };
  const agent = secure
    ? new https.Agent({ ...agentOptions, ...(target.ca === null ? {} : { ca: target.ca }) })
    : new http.Agent(agentOptions);
  const getFn = secure ? https.get : http.get;
  return {
    name: 'node:http',
    get(path) {
      return new Promise((resolve, reject) => {
        const req = getFn({ host: hostname, port, path, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`node:http: status ${String(res.statusCode)}`));
            return;
          }
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          res.on('end', () => resolve({ bytes, protocol: `HTTP/${res.httpVersion}` }));
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
