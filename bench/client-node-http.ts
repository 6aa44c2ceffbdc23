// node:http's row (node:https for https origins): a keep-alive Agent with `maxSockets` as the
// connection budget. It speaks HTTP/1.1 only, over TCP or TLS.

import http from 'node:http';
import https from 'node:https';
import type { BenchClient, Target } from './client-common.js';
import { BODY_TYPE, REQUEST_TIMEOUT_MS, badStatus } from './client-common.js';

export async function nodeHttpClient(target: Target): Promise<BenchClient> {
  const { hostname, port, protocol } = new URL(target.origin);
  const secure = protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: target.concurrency };
  const agent = secure
    ? new https.Agent({ ...agentOptions, ...(target.ca === null ? {} : { ca: target.ca }) })
    : new http.Agent(agentOptions);
  const requestFn = secure ? https.request : http.request;
  const body = target.body;
  const headers = body === null ? {} : { 'content-type': BODY_TYPE, 'content-length': String(body.length) };
  const options = { host: hostname, port, path: target.path, method: target.method, headers, agent, timeout: REQUEST_TIMEOUT_MS };
  return {
    name: 'node:http',
    call() {
      return new Promise((resolve, reject) => {
        const req = requestFn(options, (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(badStatus('node:http', res.statusCode));
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
        req.end(body ?? undefined);
      });
    },
    async close() {
      agent.destroy();
    },
  };
}
