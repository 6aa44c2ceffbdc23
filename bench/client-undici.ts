// undici's main row: `Pool.request` with `connections` as the connection budget (undici's
// defaults otherwise, keepAliveTimeout 4 s included).

import { Pool } from 'undici';
import type { BenchClient, Target } from './client-common.js';
import { REQUEST_TIMEOUT_MS } from './client-common.js';
import { undiciCall } from './undici-call.js';
import { checkedConnector } from './undici-connector.js';

export async function undiciClient(target: Target): Promise<BenchClient> {
  // undici v7: `allowH2` offers h2 in ALPN and speaks it when the server picks it.
  const allowH2 = target.protocol === 'HTTP/2.0';
  const pool = new Pool(target.origin, {
    connections: target.concurrency,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
    allowH2,
    connect: checkedConnector(target, allowH2),
  });
  const call = undiciCall('undici', target);
  return { name: 'undici', call: () => call(pool), close: () => pool.close() };
}
