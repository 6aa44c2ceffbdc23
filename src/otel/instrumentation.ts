// HttpoolInstrumentation: httpool's request and connection channels turned into OpenTelemetry
// spans and metrics. It has the shape of @opentelemetry/instrumentation's Instrumentation
// (registerInstrumentations drives it) without depending on that 0.x package: httpool needs no
// module patching, only diagnostics_channel subscriptions, which enable() and disable() take
// and drop. Until a provider is set it uses the global ones, as every instrumentation does.

import * as dc from 'node:diagnostics_channel';
import { metrics, trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import type { ConnectionMessage } from '../trace.js';
import type { RequestErrorMessage, RequestHeadersMessage, RequestStartMessage } from '../request-events.js';
import type { HttpoolInstrumentationConfig } from './config.js';
import { knownMethods } from './attributes.js';
import { Instruments } from './metrics.js';
import { AttemptRecorder, type Providers } from './spans.js';

/** The instrumentation scope: spans and metrics are reported under this name and version. */
export const INSTRUMENTATION_NAME = 'httpool';
export const INSTRUMENTATION_VERSION = '0.1.0';

export class HttpoolInstrumentation {
  readonly instrumentationName = INSTRUMENTATION_NAME;
  readonly instrumentationVersion = INSTRUMENTATION_VERSION;
  #config: HttpoolInstrumentationConfig;
  readonly #providers: Providers;
  #subscribed = false;
  readonly #subscriptions: ReadonlyArray<readonly [string, (message: unknown) => void]>;

  constructor(config: HttpoolInstrumentationConfig = {}) {
    this.#config = { enabled: true, ...config };
    this.#providers = {
      tracer: trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION),
      known: knownMethods(this.#config.knownMethods, process.env.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS),
      instruments: new Instruments(metrics.getMeter(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION)),
      config: this.#config,
    };
    const r = new AttemptRecorder(this.#providers);
    const p = this.#providers;
    this.#subscriptions = [
      ['httpool:request:start', (m) => r.start(m as RequestStartMessage)],
      ['httpool:request:headers', (m) => r.headers(m as RequestHeadersMessage)],
      ['httpool:request:end', (m) => r.end(m as RequestHeadersMessage)],
      ['httpool:request:error', (m) => r.error(m as RequestErrorMessage)],
      ['httpool:connectionClosed', (m) => p.instruments.connectionClosed(m as ConnectionMessage)],
    ];
    if (this.#config.enabled === true) this.enable();
    else this.#providers.instruments.on = false;
  }

  /** Subscribes to httpool's channels (idempotent). */
  enable(): void {
    this.#providers.instruments.on = true;
    if (this.#subscribed) return;
    this.#subscribed = true;
    for (const [name, fn] of this.#subscriptions) dc.subscribe(name, fn);
  }

  /** Unsubscribes: no spans, no metrics, nothing added to requests' heads. */
  disable(): void {
    this.#providers.instruments.on = false;
    if (!this.#subscribed) return;
    this.#subscribed = false;
    for (const [name, fn] of this.#subscriptions) dc.unsubscribe(name, fn);
  }

  setTracerProvider(provider: TracerProvider): void {
    this.#providers.tracer = provider.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
  }

  setMeterProvider(provider: MeterProvider): void {
    this.#providers.instruments.on = false;
    const instruments = new Instruments(provider.getMeter(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION));
    instruments.on = this.#subscribed;
    this.#providers.instruments = instruments;
  }

  setConfig(config: HttpoolInstrumentationConfig): void {
    this.#config = { enabled: true, ...config };
    this.#providers.config = this.#config;
    this.#providers.known = knownMethods(this.#config.knownMethods, process.env.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS);
  }

  getConfig(): HttpoolInstrumentationConfig {
    return this.#config;
  }
}
