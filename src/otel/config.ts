// What a user can set on HttpoolInstrumentation. The hook names are those of OpenTelemetry's
// instrumentations for Node's HTTP clients (instrumentation-http, instrumentation-undici), so
// a team moving to httpool keeps its hooks.

import type { Attributes, Span } from '@opentelemetry/api';
import type { Request } from '../request.js';
import type { Response } from '../response.js';

export interface HttpoolInstrumentationConfig {
  /** Subscribe at construction (as every OpenTelemetry instrumentation does). @default true */
  enabled?: boolean;
  /** Return true to make no span, inject no trace context and record no request metrics for this request. */
  ignoreRequestHook?: (request: Request) => boolean;
  /** Attributes to add when the span starts (they are there for samplers). */
  startSpanHook?: (request: Request) => Attributes | undefined;
  /** Called with each attempt's span after it starts, before its head is written. */
  requestHook?: (span: Span, request: Request) => void;
  /** Called with the span when the response head arrives. */
  responseHook?: (span: Span, response: Response) => void;
  /**
   * The methods recorded as themselves; any other is `_OTHER` (with `http.request.method_original`).
   * A full override of the conventions' default (the RFC 9110 methods, PATCH and QUERY); without it
   * OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS (comma-separated) is read, as the conventions name it.
   */
  knownMethods?: string[];
  /** Header fields to record as `http.request.header.<name>` / `http.response.header.<name>` (values as arrays). */
  headersToSpanAttributes?: { requestHeaders?: string[]; responseHeaders?: string[] };
}
