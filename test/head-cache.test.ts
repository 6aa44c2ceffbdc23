// The per-key request head cache (src/transport/head-cache.ts): a repeated request gets the
// same head, and a request that differs in any part gets its own head, built and validated.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeadCache } from '../src/transport/head-cache.js';
import { requestHeadString } from '../src/h1/write.js';
import type { BodyFraming } from '../src/h1/types.js';
import type { HttpoolError } from '../src/errors.js';

type Parts = [string, string, string, string[], BodyFraming];

test('a head cache returns the head the writer builds, whichever part changes between requests', () => {
  const cache = new HeadCache();
  const base: Parts = ['GET', '/a', 'h:1', ['User-Agent', 'x'], { kind: 'none' }];
  const variants: Parts[] = [
    base,
    base,
    ['POST', '/a', 'h:1', ['User-Agent', 'x'], { kind: 'length', length: 3 }],
    ['POST', '/a', 'h:1', ['User-Agent', 'x'], { kind: 'length', length: 4 }],
    ['POST', '/a', 'h:1', ['User-Agent', 'x'], { kind: 'chunked' }],
    ['GET', '/b', 'h:1', ['User-Agent', 'x'], { kind: 'none' }],
    ['GET', '/b', 'h:2', ['User-Agent', 'x'], { kind: 'none' }],
    ['GET', '/b', 'h:2', ['User-Agent', 'y'], { kind: 'none' }],
    ['GET', '/b', 'h:2', ['User-Agent', 'y', 'X-A', '1'], { kind: 'none' }],
    ['GET', '/b', 'h:2', ['User-Agent', 'y'], { kind: 'none' }],
    base,
  ];
  for (const v of variants) assert.equal(cache.head(...v), requestHeadString(...v), JSON.stringify(v));
});

test('a head cache never lets an invalid request through on the strength of an earlier valid one', () => {
  const cache = new HeadCache();
  cache.head('GET', '/a', 'h:1', ['X-A', 'ok'], { kind: 'none' });
  assert.throws(
    () => cache.head('GET', '/a', 'h:1', ['X-A', 'ok\r\nInjected: 1'], { kind: 'none' }),
    (e: unknown) => (e as HttpoolError).code === 'ERR_INVALID_HEADER',
  );
  assert.equal(cache.head('GET', '/a', 'h:1', ['X-A', 'ok'], { kind: 'none' }), 'GET /a HTTP/1.1\r\nHost: h:1\r\nX-A: ok\r\n\r\n');
});
