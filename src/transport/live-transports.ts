// Every Transport not yet closed or collected, held weakly: what an observer that reads the
// pools (OpenTelemetry's open-connections gauge, src/otel/metrics.ts) walks at collection time.
// A Transport created before the observer started is here too, the default one included, which a
// registry begun by the observer would miss. Holding them weakly keeps a Transport made per call
// (seed 004) collectable: its entry leaves with it.

const live = new Set<WeakRef<object>>();
const collected = new FinalizationRegistry<WeakRef<object>>((ref) => live.delete(ref));

/** Tracks `t` until it is collected or untrack()ed; returns the handle untrack() takes. */
export function track(t: object): WeakRef<object> {
  const ref = new WeakRef(t);
  live.add(ref);
  collected.register(t, ref, ref);
  return ref;
}

export function untrack(ref: WeakRef<object>): void {
  live.delete(ref);
  collected.unregister(ref);
}

/** The tracked objects still alive and not untracked (as the type the caller tracked). */
export function liveTransports<T extends object>(): T[] {
  const out: T[] = [];
  for (const ref of live) {
    const t = ref.deref();
    if (t === undefined) live.delete(ref);
    else out.push(t as T);
  }
  return out;
}
