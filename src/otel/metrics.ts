// The instruments: OpenTelemetry's HTTP client metrics (semantic conventions v1.45.0; durations
// in seconds, the conventions' bucket boundaries as advice) and httpool's own. Request metrics
// are recorded by spans.ts as attempts end; connection metrics here, from the connection
// channels and, for open connections, by reading the live Transports' pools at collection time,
// so the gauge always equals what stats() says.

import { ValueType, type Attributes, type Counter, type Histogram, type Meter, type ObservableResult } from '@opentelemetry/api';
import type { ConnectionMessage } from '../trace.js';
import { liveTransports } from '../transport/live-transports.js';
import type { Transport } from '../transport/transport.js';
import { Tally } from './tally.js';

/** http.client.request.duration's boundaries in the conventions (seconds). */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** http.client.connection.duration's boundaries in the conventions (seconds). */
const CONNECTION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

export class Instruments {
  /** Stable: one per attempt, from start to the body's end or the failure. */
  readonly requestDuration: Histogram;
  /** Development: attempts started and not yet ended (observed from a tally: see tally.ts). */
  readonly activeRequests = new Tally();
  /** Development: how long connections lived, recorded as they close. */
  readonly connectionDuration: Histogram;
  /** httpool's: connections closed, by httpool.close_reason (the reasons stats() counts). */
  readonly connectionsClosed: Counter;
  /** httpool's: attempts that got a connection, by httpool.connection.reused (a tally too). */
  readonly requests = new Tally();
  /**
   * httpool's: from an attempt's start until it had a connection, for attempts that waited for
   * one (a dial, or a wait for a connection in use); one taken from the idle pool waits for nothing.
   */
  readonly connectionWait: Histogram;
  #on = true;
  /**
   * The attribute sets observed at the last collection: one that has gone (its pool emptied, or
   * its Transport closed) is observed once more as 0, or the SDK would go on reporting its last value.
   */
  #lastOpen = new Map<string, Attributes>();

  constructor(meter: Meter) {
    this.requestDuration = meter.createHistogram('http.client.request.duration', {
      description: 'Duration of HTTP client requests.',
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: REQUEST_BUCKETS },
    });
    meter
      .createObservableUpDownCounter('http.client.active_requests', {
        description: 'Number of active HTTP requests.',
        unit: '{request}',
        valueType: ValueType.INT,
      })
      .addCallback((result) => this.activeRequests.observe(result));
    this.connectionDuration = meter.createHistogram('http.client.connection.duration', {
      description: 'The duration of the successfully established outbound HTTP connections.',
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: CONNECTION_BUCKETS },
    });
    this.connectionsClosed = meter.createCounter('httpool.connection.closed', {
      description: 'Connections closed, by the reason httpool closed them (httpool.close_reason).',
      unit: '{connection}',
      valueType: ValueType.INT,
    });
    meter
      .createObservableCounter('httpool.client.requests', {
        description: 'Request attempts that were given a connection, by whether it had served a request before (httpool.connection.reused).',
        unit: '{request}',
        valueType: ValueType.INT,
      })
      .addCallback((result) => this.requests.observe(result));
    this.connectionWait = meter.createHistogram('httpool.client.connection.wait_duration', {
      description: 'Time from a request attempt starting to it having a connection, for attempts that waited for one (a dial, or a connection in use).',
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: REQUEST_BUCKETS },
    });
    meter
      .createObservableUpDownCounter('http.client.open_connections', {
        description: 'Number of outbound HTTP connections that are currently active or idle on the client.',
        unit: '{connection}',
        valueType: ValueType.INT,
      })
      .addCallback((result) => this.#observeOpen(result));
  }

  /** Stops the open-connections callback (a replaced or disabled instrumentation must not report). */
  set on(on: boolean) {
    this.#on = on;
  }

  /** A connection closed: its lifetime and its reason. */
  connectionClosed(m: ConnectionMessage): void {
    const attrs = connectionAttributes(m);
    this.connectionDuration.record(m.age / 1000, attrs);
    attrs['httpool.close_reason'] = m.reason ?? 'unknown';
    this.connectionsClosed.add(1, attrs);
  }

  /** Sums every live Transport's pool per target and state: one observation per attribute set. */
  #observeOpen(result: ObservableResult): void {
    const sums = new Map<string, { attrs: Attributes; n: number }>();
    const last = this.#lastOpen;
    this.#lastOpen = new Map();
    if (!this.#on) {
      for (const attrs of last.values()) result.observe(0, attrs);
      return;
    }
    const add = (scheme: string, hostname: string, port: number, state: 'active' | 'idle', n: number): void => {
      const id = `${scheme} ${hostname} ${port} ${state}`;
      const entry = sums.get(id);
      if (entry !== undefined) entry.n += n;
      else sums.set(id, { attrs: { 'http.connection.state': state, 'server.address': hostname, 'server.port': port, 'url.scheme': scheme }, n });
    };
    for (const t of liveTransports<Transport>()) {
      for (const c of t._openConnections()) {
        add(c.scheme, c.hostname, c.port, 'active', c.active);
        add(c.scheme, c.hostname, c.port, 'idle', c.idle);
      }
    }
    for (const [id, { attrs, n }] of sums) {
      result.observe(n, attrs);
      this.#lastOpen.set(id, attrs);
      last.delete(id);
    }
    for (const attrs of last.values()) result.observe(0, attrs);
  }
}

function connectionAttributes(m: ConnectionMessage): Attributes {
  return {
    'server.address': m.hostname,
    'server.port': m.port,
    'url.scheme': m.scheme,
    'network.protocol.version': m.protocol === 'h2' ? '2' : '1.1',
  };
}
