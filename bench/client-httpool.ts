// httpool's row: a Transport with the same connection budget as the other clients, and the
// library's defaults otherwise (drain, leak release and stats stay on: issue 7 measures the
// safe configuration, not a stripped one).

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchClient, Target } from './client-common.js';
import { BODY_TYPE, REQUEST_TIMEOUT_MS, badStatus } from './client-common.js';

export async function httpoolClient(target: Target): Promise<BenchClient> {
  // HTTPOOL_BENCH_BUILD: another build's directory (bench/ab.ts measures two builds side by side).
  const other = process.env.HTTPOOL_BENCH_BUILD;
  const hp = (await import(other === undefined ? '../src/index.js' : pathToFileURL(join(other, 'src/index.js')).href)) as typeof import('../src/index.js');
  const transport = new hp.Transport({
    // At most `concurrency` connections (or the row's smaller maxConns), all kept idle. (Over h2
    // one connection carries them all, up to the server's SETTINGS_MAX_CONCURRENT_STREAMS.)
    // maxIdleConns too: its default (100, as Go's) would close the idle surplus at 256
    // concurrent and make the pool redial; bench/go/main.go sets Go's MaxIdleConns the same way.
    maxIdleConns: Math.max(target.concurrency, 100),
    maxIdleConnsPerHost: Math.max(target.concurrency, 2),
    maxConnsPerHost: target.maxConns ?? target.concurrency,
    ...(target.ca === null ? {} : { tls: { ca: target.ca } }),
    // HTTP/1.1 over TLS: do not offer h2 in ALPN. Over h2 the default (true) is what is measured.
    ...(target.protocol === 'HTTP/1.1' ? { forceAttemptHTTP2: false } : {}),
  });
  // HTTPOOL_BENCH_OTEL=1 (bench/ab.ts --otel-b): the OpenTelemetry instrumentation on, as a
  // traced service runs it, to measure what it costs per request.
  const otel = process.env.HTTPOOL_BENCH_OTEL === '1' ? await (await import('./otel-setup.js')).startOtel(other) : null;
  const client = new hp.Client({ transport, timeout: REQUEST_TIMEOUT_MS });
  const url = target.origin + target.path;
  const body = target.body;
  return {
    name: 'httpool',
    async call() {
      const res = body === null ? await client.get(url) : await client.post(url, BODY_TYPE, body);
      if (res.statusCode !== 200) {
        await res.body.close();
        throw badStatus('httpool', res.statusCode);
      }
      let bytes = 0;
      for await (const chunk of res.body) bytes += chunk.byteLength;
      return { bytes, protocol: res.proto };
    },
    close: async () => {
      await otel?.();
      await transport.close();
    },
  };
}
