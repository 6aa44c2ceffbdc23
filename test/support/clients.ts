// Shared test helpers: a Transport and Client closed after the test, and an assert predicate
// for HttpoolError codes.

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { Client, HttpoolError, Transport, type ClientOptions, type TransportOptions } from '../../src/index.js';

export function setup(t: TestContext, opts: TransportOptions = {}, clientOpts: Omit<ClientOptions, 'transport'> = {}) {
  const transport = new Transport(opts);
  const client = new Client({ transport, ...clientOpts });
  t.after(() => transport.close());
  return { transport, client };
}

/** An assert.rejects/throws predicate: an HttpoolError with this code (and whatever `more` checks). */
export function code(c: string, more?: (e: HttpoolError) => void) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof HttpoolError, `expected an HttpoolError, got ${String(err)}`);
    assert.ok(err instanceof Error);
    assert.equal(err.code, c, `code of: ${err.message}`);
    more?.(err);
    return true;
  };
}
