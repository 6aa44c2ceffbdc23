// undici's other row: bare `Client`s with pipelining 1 (undici's default; 0 would turn
// keep-alive off, so 1 is "pipelining off"). A Client is one connection, so the row holds
// `concurrency` of them and each request borrows an idle one: no Pool dispatch in between,
// which is undici's leanest HTTP/1.1 path. At most `concurrency` requests are in flight (the
// load loop's workers), so a free Client always exists when a request starts.

import { Client } from 'undici';
import type { BenchClient, Target } from './client-common.js';
import { REQUEST_TIMEOUT_MS } from './client-common.js';
import { undiciCall } from './undici-call.js';
import { checkedConnector } from './undici-connector.js';

export async function undiciBareClient(target: Target): Promise<BenchClient> {
  const all: Client[] = [];
  for (let i = 0; i < target.concurrency; i++) {
    all.push(
      new Client(target.origin, {
        pipelining: 1,
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
        connect: checkedConnector(target, false),
      }),
    );
  }
  const idle = [...all];
  const call = undiciCall('undici-client', target);
  return {
    name: 'undici-client',
    async call() {
      const c = idle.pop();
      if (c === undefined) throw new Error('undici-client: more requests in flight than Clients (a bench bug)');
      try {
        return await call(c);
      } finally {
        idle.push(c);
      }
    },
    async close() {
      await Promise.all(all.map((c) => c.close()));
    },
  };
}
