// Per-request counts kept here and read by the SDK at collection (an observable instrument),
// instead of an add() per request: the SDK hashes a record's attributes on every call (sorted,
// serialized), which at two or three records per request cost more than the request itself.
// A key here is a short string the caller builds from the few values that make the attributes.
// Bounded like the SDK's own storage: past MAX_SERIES distinct keys, new ones count in one
// overflow series marked `otel.metric.overflow` (the SDK's cardinality-limit convention).

import type { Attributes, ObservableResult } from '@opentelemetry/api';

const MAX_SERIES = 2000;
const OVERFLOW = '\u0000overflow';

interface Series {
  readonly attrs: Attributes;
  value: number;
}

export class Tally {
  readonly #series = new Map<string, Series>();

  /** Adds `n` to the series `key`, made with `attrs()` the first time it is seen. */
  add(key: string, n: number, attrs: () => Attributes): void {
    let s = this.#series.get(key);
    if (s === undefined) {
      if (this.#series.size >= MAX_SERIES) {
        s = this.#series.get(OVERFLOW);
        if (s === undefined) {
          s = { attrs: { 'otel.metric.overflow': true }, value: 0 };
          this.#series.set(OVERFLOW, s);
        }
      } else {
        s = { attrs: attrs(), value: 0 };
        this.#series.set(key, s);
      }
    }
    s.value += n;
  }

  observe(result: ObservableResult): void {
    for (const s of this.#series.values()) result.observe(s.value, s.attrs);
  }
}
