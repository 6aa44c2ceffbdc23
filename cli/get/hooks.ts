// One ClientTrace from several: -v's tracer, -w's meter and -o's progress bar each watch the
// same request, and a Request takes one trace. Each hook calls its namesakes in order.

import type { ClientTrace } from '../../src/index.js';

type Hook = (...args: unknown[]) => void;

export function mergeTraces(...traces: (ClientTrace | null)[]): ClientTrace {
  const merged: Record<string, Hook> = {};
  const present = traces.filter((t): t is ClientTrace => t !== null);
  const names = new Set(present.flatMap((t) => Object.keys(t)));
  for (const name of names) {
    const hooks = present.map((t) => (t as Record<string, Hook | undefined>)[name]).filter((h): h is Hook => typeof h === 'function');
    merged[name] = (...args) => {
      for (const h of hooks) h(...args);
    };
  }
  return merged as ClientTrace;
}
