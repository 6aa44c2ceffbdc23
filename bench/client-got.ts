// got's row (v14, the newest got whose engines accept Node 20; ESM only, hence the dynamic
// import): keep-alive http/https Agents with `maxSockets` as the connection budget, body as a
// Buffer, and retries off (a retried request would hide an error the other clients report).
// got rides on node:http: HTTP/1.1 only.

import http from 'node:http';
import https from 'node:https';
import type { BenchClient, Target } from './client-common.js';
import { BODY_TYPE, REQUEST_TIMEOUT_MS, badStatus } from './client-common.js';

export async function gotClient(target: Target): Promise<BenchClient> {
  const { default: got } = await import('got');
  const agentOptions = { keepAlive: true, maxSockets: target.concurrency };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent({ ...agentOptions, ...(target.ca === null ? {} : { ca: target.ca }) });
  const instance = got.extend({
    agent: { http: httpAgent, https: httpsAgent },
    ...(target.ca === null ? {} : { https: { certificateAuthority: target.ca } }),
    retry: { limit: 0 },
    timeout: { request: REQUEST_TIMEOUT_MS },
    throwHttpErrors: false,
  });
  const url = target.origin + target.path;
  const body = target.body;
  const options =
    body === null
      ? { method: target.method, responseType: 'buffer' as const }
      : { method: target.method, responseType: 'buffer' as const, body, headers: { 'content-type': BODY_TYPE } };
  return {
    name: 'got',
    async call() {
      const res = await instance(url, options);
      if (res.statusCode !== 200) throw badStatus('got', res.statusCode);
      return { bytes: res.body.length, protocol: `HTTP/${res.httpVersion}` };
    },
    async close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
