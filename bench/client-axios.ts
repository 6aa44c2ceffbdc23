// axios's row, configured as its docs suggest for a server-side client: keep-alive
// http/https Agents with `maxSockets` as the connection budget, the body as a Buffer
// (responseType 'arraybuffer'). axios rides on node:http, so it speaks HTTP/1.1 only.

import http from 'node:http';
import https from 'node:https';
import axios from 'axios';
import type { BenchClient, Target } from './client-common.js';
import { BODY_TYPE, REQUEST_TIMEOUT_MS, badStatus } from './client-common.js';

export async function axiosClient(target: Target): Promise<BenchClient> {
  const agentOptions = { keepAlive: true, maxSockets: target.concurrency };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent({ ...agentOptions, ...(target.ca === null ? {} : { ca: target.ca }) });
  const instance = axios.create({
    httpAgent,
    httpsAgent,
    responseType: 'arraybuffer',
    timeout: REQUEST_TIMEOUT_MS,
    // The status is checked below, the same way for every client.
    validateStatus: null,
  });
  const url = target.origin + target.path;
  const body = target.body;
  const config = body === null ? {} : { headers: { 'content-type': BODY_TYPE } };
  // axios's agents cannot negotiate h2, and no row offers it to them: HTTP/1.1 by construction.
  const protocol = target.protocol;
  return {
    name: 'axios',
    async call() {
      const res = body === null ? await instance.get<Buffer>(url, config) : await instance.post<Buffer>(url, body, config);
      if (res.status !== 200) throw badStatus('axios', res.status);
      return { bytes: res.data.length, protocol };
    },
    async close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
