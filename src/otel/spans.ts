// One CLIENT span per request attempt, and the request metrics, from httpool's request events
// (src/request-events.ts): `httpool:request:start` opens the span in the caller's context and
// injects the trace context into the attempt's head; `headers` adds what the response says;
// `end` or `error` ends it and records the duration. Attempts are told apart by their timings
// object, which every message of one attempt carries, so one Request sent twice at once keeps
// two spans apart.

import { context, createContextKey, diag, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type TextMapSetter, type Tracer } from '@opentelemetry/api';
import type { RequestErrorMessage, RequestHeadersMessage, RequestStartMessage, RequestTimings } from '../request-events.js';
import type { Request } from '../request.js';
import { errorType, fullUrl, headerAttributes, protocolVersion, requestAttributes, spanName } from './attributes.js';
import type { Instruments } from './metrics.js';
import type { HttpoolInstrumentationConfig } from './config.js';

/**
 * The key @opentelemetry/core sets to suppress tracing (an exporter's own requests, for one):
 * createContextKey uses Symbol.for, so the same description gives the same key without that package.
 */
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** Writes propagation fields into the attempt's head through request:start's setHeader. */
const headerSetter: TextMapSetter<RequestStartMessage> = {
  set(carrier, key, value) {
    carrier.setHeader(key, value);
  },
};

interface Attempt {
  readonly span: Span;
  readonly request: Request;
  /** The request metrics' attributes: method, server, scheme; then status, protocol, error. */
  readonly metric: Attributes;
  /** The tallies' key for method, server and scheme (tally.ts). */
  readonly key: string;
}

export interface Providers {
  tracer: Tracer;
  /** The known methods (attributes.ts knownMethods). */
  known: ReadonlySet<string>;
  instruments: Instruments;
  config: HttpoolInstrumentationConfig;
}

export class AttemptRecorder {
  readonly #attempts = new WeakMap<RequestTimings, Attempt>();

  constructor(private readonly p: Providers) {}

  start(m: RequestStartMessage): void {
    const { config, tracer } = this.p;
    const req = m.request;
    if (config.ignoreRequestHook !== undefined && safely('ignoreRequestHook', () => config.ignoreRequestHook!(req)) === true) return;
    const parent = context.active();
    if (parent.getValue(SUPPRESS_TRACING) === true) return;
    const attrs = requestAttributes(req, this.p.known);
    attrs['url.full'] = fullUrl(req);
    if (m.resendCount > 0) attrs['http.request.resend_count'] = m.resendCount;
    const headers = config.headersToSpanAttributes?.requestHeaders;
    if (headers !== undefined) headerAttributes('http.request.header', headers, (n) => req.headers.values(n), attrs);
    if (config.startSpanHook !== undefined) {
      const extra = safely('startSpanHook', () => config.startSpanHook!(req));
      if (extra !== undefined) Object.assign(attrs, extra);
    }
    const span = tracer.startSpan(spanName(req.method, this.p.known), { kind: SpanKind.CLIENT, attributes: attrs, startTime: m.timings.start }, parent);
    if (config.requestHook !== undefined) safely('requestHook', () => config.requestHook!(span, req));
    // W3C traceparent (or whatever the global propagator writes), naming this attempt's span as
    // the parent of the server's work: injected even for a span sampled out, as the flag says.
    propagation.inject(trace.setSpan(parent, span), m, headerSetter);
    const parts = req._parts;
    const key = `${req.method} ${parts.protocol}//${parts.host}`;
    this.p.instruments.activeRequests.add(key, 1, () => requestAttributes(req, this.p.known));
    this.#attempts.set(m.timings, { span, request: req, metric: requestAttributes(req, this.p.known), key });
  }

  headers(m: RequestHeadersMessage): void {
    const a = this.#attempts.get(m.timings);
    if (a === undefined) return;
    const res = m.response;
    const t = m.timings;
    const version = protocolVersion(res.proto);
    a.metric['http.response.status_code'] = res.statusCode;
    a.metric['network.protocol.version'] = version;
    const attrs: Attributes = {
      'http.response.status_code': res.statusCode,
      'network.protocol.version': version,
      'httpool.connection.id': t.connId,
      'httpool.connection.reused': t.reused,
      'httpool.connection.idle_time': t.idleTime / 1000,
    };
    const peer = res.remoteAddress;
    if (peer !== null) {
      attrs['network.peer.address'] = peer.address;
      attrs['network.peer.port'] = peer.port;
    }
    // The conventions: a client span's status is Error for a 4xx or 5xx, with error.type the code.
    if (res.statusCode >= 400) {
      attrs['error.type'] = String(res.statusCode);
      a.metric['error.type'] = String(res.statusCode);
      a.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    const names = this.p.config.headersToSpanAttributes?.responseHeaders;
    if (names !== undefined) headerAttributes('http.response.header', names, (n) => res.headers.values(n), attrs);
    a.span.setAttributes(attrs);
    const hook = this.p.config.responseHook;
    if (hook !== undefined) safely('responseHook', () => hook(a.span, res));
  }

  end(m: RequestHeadersMessage): void {
    this.#finish(m.timings, null, false);
  }

  error(m: RequestErrorMessage): void {
    this.#finish(m.timings, m.error, true);
  }

  #finish(t: RequestTimings, err: unknown, failed: boolean): void {
    const a = this.#attempts.get(t);
    if (a === undefined) return;
    this.#attempts.delete(t);
    const { instruments } = this.p;
    const span = a.span;
    if (t.connId >= 0) {
      // From the idle pool an attempt waits for nothing: only dials and waits are recorded.
      if (!t.reused || t.idleTime === 0) instruments.connectionWait.record((t.connected - t.start) / 1000, requestAttributes(a.request, this.p.known));
      const reused = t.reused;
      instruments.requests.add(reused ? `${a.key} r` : a.key, 1, () => {
        const attrs = requestAttributes(a.request, this.p.known);
        attrs['httpool.connection.reused'] = reused;
        return attrs;
      });
      if (t.closeReason !== null) span.setAttribute('httpool.connection.close_reason', t.closeReason);
    }
    if (failed) {
      // Before a head, headers() never ran: the connection the attempt failed on is still worth naming.
      if (t.connId >= 0 && t.firstByte < 0) span.setAttributes({ 'httpool.connection.id': t.connId, 'httpool.connection.reused': t.reused });
      const type = errorType(err);
      a.metric['error.type'] = type;
      span.setAttribute('error.type', type);
      if (err instanceof Error) span.recordException(err, t.end);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    }
    instruments.requestDuration.record((t.end - t.start) / 1000, a.metric);
    instruments.activeRequests.add(a.key, -1, () => requestAttributes(a.request, this.p.known));
    span.end(t.end);
  }
}

/** A user's hook that throws is logged through OpenTelemetry's diag, never allowed to break the request. */
function safely<T>(name: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    diag.error(`httpool instrumentation: ${name} threw`, err);
    return undefined;
  }
}
