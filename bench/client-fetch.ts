// Node's built-in `fetch` (the undici bundled with Node, not the devDependency), as an
// application calls it: global dispatcher, body read with arrayBuffer(). Plain http only:
// it takes no CA without a dispatcher from the matching undici, and it does not speak h2 on
// Node 20, so it is in the plain HTTP/1.1 rows (where nothing but HTTP/1.1 is possible).

import type { BenchClient, Target } from './client-common.js';
import { BODY_TYPE, badStatus } from './client-common.js';

export async function fetchClient(target: Target): Promise<BenchClient> {
  if (target.ca !== null) throw new Error('fetch: only plain http rows (see bench/client-fetch.ts)');
  const url = target.origin + target.path;
  const body = target.body;
  const init: RequestInit =
    body === null ? { method: target.method } : { method: target.method, body, headers: { 'content-type': BODY_TYPE } };
  const protocol = target.protocol;
  return {
    name: 'fetch',
    async call() {
      const res = await fetch(url, init);
      const buf = await res.arrayBuffer();
      if (res.status !== 200) throw badStatus('fetch', res.status);
      return { bytes: buf.byteLength, protocol };
    },
    // The global dispatcher is shared process-wide; its idle connections time out on their own.
    async close() {},
  };
}
