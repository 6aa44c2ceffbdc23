// fetch tests' shared pieces: a Transport closed after the test with a fetch and a Client over
// it, and the shape every failed fetch has.

import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Transport, HttpoolError, createFetch } from '../../src/index.js';

/** A Transport closed after the test, a fetch over it, and a Client (Go's rules) over the same one. */
export function fetchSetup(t: TestContext) {
  const transport = new Transport();
  t.after(() => transport.close());
  const client = new Client({ transport });
  return { transport, client, f: createFetch(client) };
}

/** An assert.rejects predicate: TypeError('fetch failed') whose cause is an HttpoolError with this code. */
export function fetchFailed(code: string, more?: (cause: HttpoolError) => void) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${String(err)}`);
    assert.equal(err.message, 'fetch failed');
    assert.ok(err.cause instanceof HttpoolError, `cause: ${String(err.cause)}`);
    assert.equal(err.cause.code, code, `cause: ${err.cause.message}`);
    more?.(err.cause);
    return true;
  };
}
