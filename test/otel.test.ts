// httpool/otel (issue 15): HttpoolInstrumentation with the real OpenTelemetry SDK. One CLIENT
// span per attempt with the HTTP client conventions' attributes, the trace context in the head
// the server reads, retries and redirects counted in http.request.resend_count, and the metrics
// with values checked against what happened (open connections against stats()).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type * as http from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator, suppressTracing } from '@opentelemetry/core';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { Client, Request, Transport, type HttpoolError } from '../src/index.js';
import { HttpoolInstrumentation, INSTRUMENTATION_VERSION } from '../src/otel/index.js';
import { closedPort, httpServer, rawServer } from './support/servers.js';
import { within } from './support/within.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

/** A reader the test collects from on demand. */
class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface Otel {
  instrumentation: HttpoolInstrumentation;
  spans(): ReadableSpan[];
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  metrics(): Promise<MetricData[]>;
}

function otel(t: TestContext, config: ConstructorParameters<typeof HttpoolInstrumentation>[0] = {}): Otel {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const instrumentation = new HttpoolInstrumentation(config);
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(meterProvider);
  t.after(async () => {
    instrumentation.disable();
    await meterProvider.shutdown();
    await tracerProvider.shutdown();
  });
  return {
    instrumentation,
    tracerProvider,
    meterProvider,
    spans: () => exporter.getFinishedSpans(),
    async metrics() {
      const { resourceMetrics, errors } = await reader.collect();
      assert.deepEqual(errors, []);
      return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    },
  };
}

function setup(t: TestContext, more: ConstructorParameters<typeof Client>[0] = {}) {
  const transport = new Transport();
  t.after(() => transport.close());
  return { transport, client: new Client({ transport, timeout: 10_000, ...more }) };
}

function points(all: MetricData[], name: string): DataPoint<unknown>[] {
  const m = all.find((x) => x.descriptor.name === name);
  return m === undefined ? [] : (m.dataPoints as DataPoint<unknown>[]);
}

/** The one data point whose attributes include `match` (fails on none or several). */
function point(all: MetricData[], name: string, match: Record<string, unknown>): DataPoint<unknown> {
  const found = points(all, name).filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
  assert.equal(found.length, 1, `${name} ${JSON.stringify(match)}: ${JSON.stringify(points(all, name).map((p) => p.attributes))}`);
  return found[0]!;
}

/** A server that records each request's traceparent and answers per path. */
async function server(t: TestContext, handler?: http.RequestListener) {
  const seen: { url: string; traceparent: string | undefined }[] = [];
  const srv = await httpServer((req, res) => {
    seen.push({ url: req.url!, traceparent: req.headers.traceparent as string | undefined });
    if (handler !== undefined) handler(req, res);
    else res.end('ok');
  });
  t.after(() => srv.close());
  return { srv, seen };
}

test('one CLIENT span per request with the conventions attributes, and traceparent naming it', async (t) => {
  const o = otel(t);
  const { srv, seen } = await server(t);
  const { client } = setup(t);
  const tracer = o.tracerProvider.getTracer('test');
  const parent = await tracer.startActiveSpan('parent', async (p) => {
    for (let i = 0; i < 2; i++) {
      const res = await within(client.get(`${srv.url}/items?x=1#frag`), 5_000, 'get');
      assert.equal(await res.body.text(), 'ok');
    }
    p.end();
    return p;
  });
  const spans = o.spans().filter((s) => s.name !== 'parent');
  assert.equal(spans.length, 2);
  for (const [i, span] of spans.entries()) {
    assert.equal(span.name, 'GET');
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.equal(span.instrumentationScope.name, 'httpool');
    assert.equal(span.instrumentationScope.version, INSTRUMENTATION_VERSION);
    assert.equal(span.parentSpanContext?.spanId, parent.spanContext().spanId);
    assert.equal(span.spanContext().traceId, parent.spanContext().traceId);
    const a = span.attributes;
    assert.equal(a['http.request.method'], 'GET');
    // The fragment is never sent, but the conventions keep a known one in url.full.
    assert.equal(a['url.full'], `${srv.url}/items?x=1#frag`);
    assert.equal(a['server.address'], '127.0.0.1');
    assert.equal(a['server.port'], srv.port);
    assert.equal(a['url.scheme'], 'http');
    assert.equal(a['http.response.status_code'], 200);
    assert.equal(a['network.protocol.version'], '1.1');
    assert.equal(a['network.peer.address'], '127.0.0.1');
    assert.equal(a['http.request.resend_count'], undefined);
    assert.equal(a['error.type'], undefined);
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    // httpool's own facts: the second request reused the first's connection after it sat idle.
    assert.equal(a['httpool.connection.reused'], i === 1);
    assert.equal(typeof a['httpool.connection.id'], 'number');
    assert.ok((a['httpool.connection.idle_time'] as number) >= 0);
    // The server saw this span as the parent of its work.
    assert.equal(seen[i]!.traceparent, `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  }
  assert.equal(spans[0]!.attributes['httpool.connection.id'], spans[1]!.attributes['httpool.connection.id']);
  // The span lasts until the body has arrived: it starts before and ends after the exchange.
  assert.ok(spans[0]!.duration[0] > 0 || spans[0]!.duration[1] > 0);
});

test('url.full redacts credentials and signed-URL secrets; a method outside the known set is _OTHER', async (t) => {
  const o = otel(t);
  const { srv } = await server(t);
  const { client } = setup(t);
  const port = srv.port;
  const res = await within(client.get(`http://user:secret@127.0.0.1:${port}/s3?X-Goog-Signature=abc&sig=def&keep=a%20b&X-Amz-Credential=k&x-amz-credential=lower`), 5_000, 'get');
  await res.body.text();
  const res2 = await within(client.do(new Request('PURGE', `${srv.url}/cache`)), 5_000, 'purge');
  await res2.body.text();
  const [get, purge] = o.spans();
  // Keys match case-sensitively, as the conventions say; the rest of the query is left as it was.
  assert.equal(
    get!.attributes['url.full'],
    `http://REDACTED:REDACTED@127.0.0.1:${port}/s3?X-Goog-Signature=REDACTED&sig=REDACTED&keep=a%20b&X-Amz-Credential=REDACTED&x-amz-credential=lower`,
  );
  assert.ok(!JSON.stringify(get!.attributes).includes('secret'));
  assert.equal(purge!.name, 'HTTP');
  assert.equal(purge!.attributes['http.request.method'], '_OTHER');
  assert.equal(purge!.attributes['http.request.method_original'], 'PURGE');
});

test('knownMethods overrides the conventions known methods in full (QUERY is known by default)', async (t) => {
  const { srv } = await server(t);
  const { client } = setup(t);
  const byDefault = otel(t);
  await (await within(client.do(new Request('QUERY', srv.url)), 5_000, 'query')).body.text();
  assert.equal(byDefault.spans()[0]!.attributes['http.request.method'], 'QUERY');
  byDefault.instrumentation.disable();
  const custom = otel(t, { knownMethods: ['PURGE'] });
  await (await within(client.do(new Request('PURGE', srv.url)), 5_000, 'purge')).body.text();
  await (await within(client.get(srv.url), 5_000, 'get')).body.text();
  const [purge, get] = custom.spans();
  assert.equal(purge!.name, 'PURGE');
  assert.equal(purge!.attributes['http.request.method'], 'PURGE');
  assert.equal(get!.name, 'HTTP');
  assert.equal(get!.attributes['http.request.method'], '_OTHER');
  assert.equal(get!.attributes['http.request.method_original'], 'GET');
});

test('each retry and each redirect hop is a span of its own, counted in http.request.resend_count', async (t) => {
  const o = otel(t);
  let calls = 0;
  const { srv } = await server(t, (req, res) => {
    if (req.url === '/flaky') {
      calls++;
      res.statusCode = calls <= 2 ? 503 : 200;
      res.end(calls <= 2 ? 'busy' : 'done');
    } else if (req.url === '/moved') {
      res.writeHead(302, { location: '/flaky' }).end();
    } else res.end('ok');
  });
  const { client } = setup(t, { retry: { limit: 2, statuses: [503], backoff: { base: 1, max: 5 } } });
  const tracer = o.tracerProvider.getTracer('test');
  await tracer.startActiveSpan('parent', async (p) => {
    const res = await within(client.get(`${srv.url}/moved`), 10_000, 'get');
    assert.equal(await res.body.text(), 'done');
    p.end();
  });
  const spans = o.spans().filter((s) => s.name !== 'parent');
  assert.deepEqual(
    spans.map((s) => [new URL(s.attributes['url.full'] as string).pathname, s.attributes['http.response.status_code'], s.attributes['http.request.resend_count']]),
    [
      ['/moved', 302, undefined],
      ['/flaky', 503, 1],
      ['/flaky', 503, 2],
      ['/flaky', 200, 3],
    ],
  );
  assert.equal(spans[1]!.attributes['error.type'], '503');
  assert.equal(spans[1]!.status.code, SpanStatusCode.ERROR);
  assert.equal(spans[3]!.status.code, SpanStatusCode.UNSET);
  // All four attempts are children of the caller's span.
  assert.equal(new Set(spans.map((s) => s.parentSpanContext?.spanId)).size, 1);
  assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1);
});

test('a failed attempt ends its span with error.type (the stable code), the exception, and status Error', async (t) => {
  const o = otel(t);
  const { client } = setup(t);
  const port = await closedPort();
  const err = (await client.get(`http://127.0.0.1:${port}/`).catch((e: unknown) => e)) as HttpoolError;
  assert.equal(err.code, 'ERR_CONNECT');
  const [span] = o.spans();
  assert.equal(span!.attributes['error.type'], 'ERR_CONNECT');
  assert.equal(span!.status.code, SpanStatusCode.ERROR);
  assert.equal(span!.attributes['http.response.status_code'], undefined);
  assert.ok(span!.events.some((e) => e.name === 'exception' && e.attributes?.['exception.type'] === 'ERR_CONNECT'), JSON.stringify(span!.events));
  const all = await o.metrics();
  const d = point(all, 'http.client.request.duration', { 'error.type': 'ERR_CONNECT' });
  assert.equal((d.value as Histogram).count, 1);
});

test('a connection that closes under an attempt names its close reason on the span', async (t) => {
  const o = otel(t);
  const { srv } = await server(t, (_req, res) => {
    res.writeHead(200, { 'content-length': '10' });
    res.write('part');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const { client } = setup(t);
  const res = await within(client.get(srv.url), 5_000, 'get');
  await assert.rejects(res.body.text());
  const [span] = o.spans();
  assert.equal(span!.attributes['http.response.status_code'], 200);
  assert.equal(span!.attributes['httpool.connection.close_reason'], 'read-error');
  assert.equal(span!.status.code, SpanStatusCode.ERROR);
});

test('an attempt that fails before its head names the connection it failed on and why it closed', async (t) => {
  const o = otel(t);
  const srv = await rawServer((socket) => socket.once('data', () => socket.destroy()));
  t.after(() => srv.close());
  const { client } = setup(t);
  const err = (await client.get(srv.url).catch((e: unknown) => e)) as HttpoolError;
  assert.ok(err.code.startsWith('ERR_'), String(err));
  const [span] = o.spans();
  assert.equal(span!.attributes['error.type'], err.code);
  assert.equal(typeof span!.attributes['httpool.connection.id'], 'number');
  assert.equal(span!.attributes['httpool.connection.reused'], false);
  assert.equal(typeof span!.attributes['httpool.connection.close_reason'], 'string');
  assert.equal(span!.attributes['http.response.status_code'], undefined);
});

test('metrics: request duration, active requests, open connections equal to stats(), connection lifetimes and close reasons', async (t) => {
  const o = otel(t);
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  const { srv } = await server(t, (req, res) => {
    if (req.url === '/hold') void held.then(() => res.end('late'));
    else if (req.url === '/missing') res.writeHead(404).end('no');
    else res.end('ok');
  });
  const { client, transport } = setup(t);
  // Three requests held by the server: three active connections, three active requests.
  const pending = [0, 1, 2].map(() => client.get(`${srv.url}/hold`));
  const deadline = Date.now() + 5_000;
  while (transport.stats().totals.active < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  let all = await o.metrics();
  const stats = transport.stats();
  assert.equal(stats.totals.active, 3);
  const base = { 'server.address': '127.0.0.1', 'server.port': srv.port, 'url.scheme': 'http' };
  assert.equal(point(all, 'http.client.open_connections', { ...base, 'http.connection.state': 'active' }).value, stats.totals.active);
  assert.equal(point(all, 'http.client.open_connections', { ...base, 'http.connection.state': 'idle' }).value, stats.totals.idle);
  assert.equal(point(all, 'http.client.active_requests', { ...base, 'http.request.method': 'GET' }).value, 3);
  release();
  for (const res of await within(Promise.all(pending), 5_000, 'held')) assert.equal(await res.body.text(), 'late');
  // Reused connections now: three more requests, one a 404.
  for (const path of ['/a', '/b', '/missing']) await (await within(client.get(`${srv.url}${path}`), 5_000, path)).body.text();
  all = await o.metrics();
  const after = transport.stats();
  assert.equal(after.totals.idle, 3);
  assert.equal(point(all, 'http.client.open_connections', { ...base, 'http.connection.state': 'idle' }).value, after.totals.idle);
  assert.equal(point(all, 'http.client.open_connections', { ...base, 'http.connection.state': 'active' }).value, after.totals.active);
  assert.equal(point(all, 'http.client.active_requests', { ...base, 'http.request.method': 'GET' }).value, 0);
  const ok = point(all, 'http.client.request.duration', { ...base, 'http.response.status_code': 200 });
  const h = ok.value as Histogram;
  assert.equal(h.count, 5);
  assert.ok(h.sum! > 0 && h.sum! < 50, `sum ${h.sum} s`);
  assert.ok(h.max! < 50, 'durations are in seconds');
  assert.deepEqual(h.buckets.boundaries, [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
  assert.equal(point(all, 'http.client.request.duration', { 'http.response.status_code': 200 }).attributes['network.protocol.version'], '1.1');
  const missing = point(all, 'http.client.request.duration', { 'http.response.status_code': 404 });
  assert.equal(missing.attributes['error.type'], '404');
  // Requests on reused connections, as stats() counts them.
  assert.equal(point(all, 'httpool.client.requests', { 'httpool.connection.reused': true }).value, after.totals.reused);
  assert.equal(point(all, 'httpool.client.requests', { 'httpool.connection.reused': false }).value, after.totals.requests - after.totals.reused);
  // Waits are recorded for the three dials; the three reuses came from the idle pool and waited for nothing.
  assert.equal((point(all, 'httpool.client.connection.wait_duration', base).value as Histogram).count, 3);
  // Closing the idle pool: three lifetimes, three closes for 'idle-closed'.
  transport.closeIdleConnections();
  all = await o.metrics();
  const closed = point(all, 'httpool.connection.closed', { ...base, 'httpool.close_reason': 'idle-closed' });
  assert.equal(closed.value, 3);
  assert.equal(closed.value, transport.stats().totals.closed['idle-closed']);
  const lived = point(all, 'http.client.connection.duration', base).value as Histogram;
  assert.equal(lived.count, 3);
  assert.ok(lived.min! > 0 && lived.max! < 60, `lifetimes ${lived.min}..${lived.max} s`);
  assert.equal(point(all, 'http.client.open_connections', { ...base, 'http.connection.state': 'idle' }).value, 0);
});

test('ignoreRequestHook: no span, no trace context, no request metrics for that request; hooks add attributes', async (t) => {
  const o = otel(t, {
    ignoreRequestHook: (req) => req._parts.target === '/health',
    startSpanHook: () => ({ 'app.tenant': 'blue' }),
    requestHook: (span, req) => span.setAttribute('app.path', req._parts.target),
    responseHook: (span, res) => span.setAttribute('app.length', Number(res.headers.get('content-length'))),
    headersToSpanAttributes: { requestHeaders: ['X-Req'], responseHeaders: ['Content-Length'] },
  });
  const { srv, seen } = await server(t);
  const { client } = setup(t);
  await (await within(client.get(`${srv.url}/health`), 5_000, 'health')).body.text();
  await (await within(client.get(`${srv.url}/work`, { headers: { 'x-req': 'one' } }), 5_000, 'work')).body.text();
  assert.equal(seen[0]!.traceparent, undefined);
  assert.match(seen[1]!.traceparent!, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  const spans = o.spans();
  assert.equal(spans.length, 1);
  const a = spans[0]!.attributes;
  assert.equal(a['app.tenant'], 'blue');
  assert.equal(a['app.path'], '/work');
  assert.equal(a['app.length'], 2);
  assert.deepEqual(a['http.request.header.x-req'], ['one']);
  assert.deepEqual(a['http.response.header.content-length'], ['2']);
  const all = await o.metrics();
  const durations = points(all, 'http.client.request.duration');
  assert.equal(durations.reduce((n, p) => n + (p.value as Histogram).count, 0), 1);
});

test('a hook that throws is reported through diag, and the request goes on', async (t) => {
  const o = otel(t, {
    requestHook: () => {
      throw new Error('hook bug');
    },
    responseHook: () => {
      throw new Error('hook bug');
    },
  });
  const { srv } = await server(t);
  const { client } = setup(t);
  const res = await within(client.get(srv.url), 5_000, 'get');
  assert.equal(await res.body.text(), 'ok');
  assert.equal(o.spans().length, 1);
  assert.equal(o.spans()[0]!.attributes['http.response.status_code'], 200);
});

test('suppressed tracing (an exporter sending its own data) makes no span and injects nothing', async (t) => {
  const o = otel(t);
  const { srv, seen } = await server(t);
  const { client } = setup(t);
  await context.with(suppressTracing(context.active()), async () => {
    await (await within(client.get(srv.url), 5_000, 'get')).body.text();
  });
  assert.equal(o.spans().length, 0);
  assert.equal(seen[0]!.traceparent, undefined);
});

test('disable() stops spans, metrics and injection; enable() resumes', async (t) => {
  const o = otel(t);
  const { srv, seen } = await server(t);
  const { client } = setup(t);
  o.instrumentation.disable();
  await (await within(client.get(srv.url), 5_000, 'get')).body.text();
  assert.equal(o.spans().length, 0);
  assert.equal(seen[0]!.traceparent, undefined);
  assert.equal(points(await o.metrics(), 'http.client.open_connections').length, 0);
  o.instrumentation.enable();
  await (await within(client.get(srv.url), 5_000, 'get')).body.text();
  assert.equal(o.spans().length, 1);
  assert.ok(seen[1]!.traceparent !== undefined);
});

test('registerInstrumentations drives it as an Instrumentation, with providers given or global', async (t) => {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  // The type check is the point: HttpoolInstrumentation is an Instrumentation without extending its base.
  const instrumentation: Instrumentation = new HttpoolInstrumentation({ enabled: false });
  const unregister = registerInstrumentations({ instrumentations: [instrumentation], tracerProvider, meterProvider });
  t.after(async () => {
    unregister();
    await meterProvider.shutdown();
    await tracerProvider.shutdown();
  });
  assert.equal(instrumentation.instrumentationName, 'httpool');
  const { srv } = await server(t);
  const { client } = setup(t);
  await (await within(client.get(srv.url), 5_000, 'get')).body.text();
  assert.equal(exporter.getFinishedSpans().length, 1);
  const { resourceMetrics } = await reader.collect();
  const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
  assert.ok(names.includes('http.client.request.duration'), names.join());
  unregister();
  await (await within(client.get(srv.url), 5_000, 'get')).body.text();
  assert.equal(exporter.getFinishedSpans().length, 1, 'unregistered: no more spans');

  // With global providers and no explicit ones.
  const globalExporter = new InMemorySpanExporter();
  const globalProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(globalExporter)] });
  assert.ok(trace.setGlobalTracerProvider(globalProvider));
  t.after(() => trace.disable());
  const viaGlobal = new HttpoolInstrumentation();
  t.after(() => viaGlobal.disable());
  await (await within(client.get(srv.url), 5_000, 'get')).body.text();
  assert.equal(globalExporter.getFinishedSpans().length, 1);
});
