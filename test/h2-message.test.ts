// The HTTP/2 message layer (src/h2/message.ts): the request's header list as RFC 9113 §8.3.1
// and §8.2.2 shape it, and what makes a response's list malformed (§8.3.2, §8.2, §8.1.1).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldListSize, requestFieldList, responseFields, trailerError } from '../src/h2/message.js';

test('request list: pseudo-header fields first, names lowercased, connection-specific fields dropped, TE only as trailers', () => {
  const list = requestFieldList('POST', 'https', 'example.test:8443', '/a?b=1', ['Accept', '*/*', 'Connection', 'keep-alive', 'Keep-Alive', '5', 'Upgrade', 'h2c', 'TE', 'gzip', 'Cookie', 'a=1', 'cookie', 'b=2', 'Content-Length', '99'], 3);
  assert.deepEqual(list, [
    ':method', 'POST', ':scheme', 'https', ':authority', 'example.test:8443', ':path', '/a?b=1',
    'accept', '*/*', 'cookie', 'a=1', 'cookie', 'b=2', 'content-length', '3',
  ]);
  assert.deepEqual(requestFieldList('GET', 'http', 'h', '/', ['te', 'Trailers'], -1).slice(8), ['te', 'Trailers']);
  assert.equal(fieldListSize([':method', 'GET', 'a', 'bc']), 7 + 3 + 1 + 2 + 2 * 32);
});

test('response list: status, fields and content-length are taken from a well-formed list; values are trimmed', () => {
  const r = responseFields([':status', '200', 'content-length', '10', 'x-a', ' padded\t', 'content-length', '10']);
  assert.ok(typeof r !== 'string');
  assert.equal(r.status, 200);
  assert.equal(r.contentLength, 10);
  assert.deepEqual(r.fields, ['content-length', '10', 'x-a', 'padded', 'content-length', '10']);
  const none = responseFields([':status', '204']);
  assert.ok(typeof none !== 'string' && none.contentLength === -1);
});

test('response list: each malformed shape is named (a stream error PROTOCOL_ERROR in the session)', () => {
  const bad: Array<[string[], RegExp]> = [
    [['x', 'y'], /no :status/],
    [[':status', '200', ':status', '200'], /two :status/],
    [[':status', '20'], /three digits/],
    [[':status', '2x0'], /three digits/],
    [[':status', '200', ':path', '/'], /pseudo-header field :path in a response/],
    [['a', 'b', ':status', '200'], /after a regular field/],
    [[':status', '200', 'Upper', 'x'], /uppercase/],
    [[':status', '200', 'connection', 'close'], /connection-specific/],
    [[':status', '200', 'transfer-encoding', 'chunked'], /connection-specific/],
    [[':status', '200', 'te', 'trailers'], /TE field/],
    [[':status', '200', 'x', 'a\r\nb'], /NUL, CR or LF/],
    [[':status', '200', 'content-length', '1', 'content-length', '2'], /content-length/],
    [[':status', '200', 'content-length', '-1'], /content-length/],
    [[':status', '200', 'content-length', '1234567890123456'], /content-length/],
  ];
  for (const [list, re] of bad) {
    const r = responseFields(list);
    assert.equal(typeof r, 'string', JSON.stringify(list));
    assert.match(r as string, re, JSON.stringify(list));
  }
});

test('trailers: pseudo-header fields and bad names are malformed; ordinary fields pass', () => {
  assert.equal(trailerError(['grpc-status', '0', 'x-checksum', 'abc']), null);
  assert.match(trailerError([':status', '200'])!, /pseudo-header/);
  assert.match(trailerError(['Bad', 'x'])!, /uppercase/);
});
