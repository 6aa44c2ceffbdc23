// httpool's row: a Transport with the same connection budget as the other clients.

import type { BenchClient, Target } from './client-common.js';
import { REQUEST_TIMEOUT_MS } from './client-common.js';

export async function httpoolClient(target: Target): Promise<BenchClient> {
  const hp = await import('../src/index.js');
  const transport = new hp.Transport({
    // At most `concurrency` connections, all kept idle. (Over h2 one connection carries them all.)
    maxIdleConnsPerHost: Math.max(target.concurrency, 2),
    maxConnsPerHost: target.concurrency,
    ...(target.ca === null ? {} : { tls: { ca: target.ca } }),
    // HTTP/1.1 over TLS: do not offer h2 in ALPN. Over h2 the default (true) is what is measured.
    ...(target.protocol === 'HTTP/1.1' ? { forceAttemptHTTP2: false } : {}),
  });
  const client = new hp.Client({ transport, timeout: REQUEST_TIMEOUT_MS });
  return {
    name: 'httpool',
    async get(path) {
      const res = await client.get(target.origin + path);
      if (res.statusCode !== 200) {
        await res.body.close();
        throw new Error(`httpool: status ${res.statusCode}`);
      }
      let bytes = 0;
      for await (const chunk of res.body) bytes += chunk.byteLength;
      return { bytes, protocol: res.proto };
    },
    close: () => transport.close(),
  };
}
