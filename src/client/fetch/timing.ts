// Resource Timing for fetch: each fetch whose body is read to the end adds a
// PerformanceResourceTiming entry (performance.getEntriesByType('resource')), as Node's fetch
// does, through performance.markResourceTiming (W3C Resource Timing "mark resource timing"). The
// times come from httpool's own trace hooks on each hop; the connection times are the final
// hop's, and a hop on a reused connection reports them as its start (Fetch's "clamp and coarsen
// connection timing info" does the same for a connection older than the hop).

import { performance } from 'node:perf_hooks';
import type { ClientTrace } from '../../trace.js';

/** Fetch §2.5 fetch timing info, with the field names markResourceTiming reads. */
interface TimingInfo {
  startTime: number;
  redirectStartTime: number;
  redirectEndTime: number;
  postRedirectStartTime: number;
  finalServiceWorkerStartTime: number;
  finalNetworkRequestStartTime: number;
  finalNetworkResponseStartTime: number;
  endTime: number;
  encodedBodySize: number;
  decodedBodySize: number;
  finalConnectionTimingInfo: {
    domainLookupStartTime: number;
    domainLookupEndTime: number;
    connectionStartTime: number;
    connectionEndTime: number;
    secureConnectionStartTime: number;
    ALPNNegotiatedProtocol: string;
  };
}

type MarkResourceTiming = (
  info: TimingInfo,
  requestedUrl: string,
  initiatorType: string,
  global: object,
  cacheMode: string,
  bodyInfo: object,
  responseStatus: number,
) => unknown;

// Node's own (20.2+), not in @types/node 20.
const mark = (performance as unknown as { markResourceTiming?: MarkResourceTiming }).markResourceTiming;

/** One fetch's times: its trace hooks record the current hop; `redirected` starts the next. */
export class FetchTiming implements ClientTrace {
  readonly #start = performance.now();
  #redirectStart = 0;
  #redirectEnd = 0;
  #hopStart = this.#start;
  #dnsStart = 0;
  #dnsEnd = 0;
  #connectStart = 0;
  #connectEnd = 0;
  #secureStart = 0;
  #requestStart = 0;
  #responseStart = 0;

  /** A redirect is taken: the next hop starts now, with fresh connection times. */
  redirected(): void {
    const now = performance.now();
    if (this.#redirectStart === 0) this.#redirectStart = this.#start;
    this.#redirectEnd = now;
    this.#hopStart = now;
    this.#dnsStart = this.#dnsEnd = this.#connectStart = this.#connectEnd = this.#secureStart = 0;
    this.#requestStart = this.#responseStart = 0;
  }

  dnsStart(): void {
    this.#dnsStart = performance.now();
  }

  dnsDone(): void {
    this.#dnsEnd = performance.now();
  }

  connectStart(): void {
    // Several addresses may be tried: the first attempt starts the connection.
    if (this.#connectStart === 0) this.#connectStart = performance.now();
  }

  connectDone(): void {
    this.#connectEnd = performance.now();
  }

  tlsHandshakeStart(): void {
    this.#secureStart = performance.now();
  }

  gotConn(): void {
    this.#requestStart = performance.now();
  }

  gotFirstResponseByte(): void {
    this.#responseStart = performance.now();
  }

  /** The body has arrived: the entry, named by the URL the fetch was called with. */
  finish(requestedUrl: string, status: number, proto: string, encodedBytes: number, decodedBytes: number): void {
    if (mark === undefined) return;
    const end = performance.now();
    const hop = this.#hopStart;
    // A hop without a new connection (reused, or an IP literal without DNS) reports the hop's start.
    const connectStart = this.#connectStart || hop;
    const info: TimingInfo = {
      startTime: this.#start,
      redirectStartTime: this.#redirectStart,
      redirectEndTime: this.#redirectEnd,
      postRedirectStartTime: hop,
      finalServiceWorkerStartTime: 0,
      finalNetworkRequestStartTime: this.#requestStart || hop,
      finalNetworkResponseStartTime: this.#responseStart || this.#requestStart || hop,
      endTime: end,
      encodedBodySize: encodedBytes,
      decodedBodySize: decodedBytes,
      finalConnectionTimingInfo: {
        domainLookupStartTime: this.#dnsStart || (this.#connectStart === 0 ? hop : connectStart),
        domainLookupEndTime: this.#dnsEnd || (this.#connectStart === 0 ? hop : connectStart),
        connectionStartTime: connectStart,
        connectionEndTime: this.#connectEnd || connectStart,
        secureConnectionStartTime: this.#secureStart,
        ALPNNegotiatedProtocol: proto === 'HTTP/2.0' ? 'h2' : proto.toLowerCase(),
      },
    };
    mark(info, requestedUrl, 'fetch', globalThis, '', {}, status);
  }
}
