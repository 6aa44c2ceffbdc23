// Passwords in URLs never reach error messages, error fields or Request.toString() (`***`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Transport, Request, HttpoolError } from '../src/index.js';
import { redactText } from '../src/errors.js';
import { httpServer } from './support/servers.js';

const SECRET = 'hunter2';

function noSecret(err: unknown): true {
  assert.ok(err instanceof HttpoolError, String(err));
  assert.ok(!err.message.includes(SECRET), err.message);
  assert.ok(!(err.url ?? '').includes(SECRET), err.url);
  assert.ok(!String(err.stack).includes(SECRET));
  return true;
}

test('refused URLs quote themselves with the password masked', async (t) => {
  const transport = new Transport();
  t.after(() => transport.close());
  const client = new Client({ transport });
  for (const bad of [`http://bob:${SECRET}@127.0.0.1/a\r\nX: y`, `http://bob:${SECRET}@[::1/`]) {
    await assert.rejects(client.get(bad), (err: HttpoolError) => {
      assert.equal(err.code, 'ERR_INVALID_URL');
      assert.match(err.message, /bob:\*\*\*@/);
      return noSecret(err);
    });
  }
});

test('timeouts and body errors name the URL without its password', async (t) => {
  const srv = await httpServer((_req, res) => {
    res.writeHead(200, { 'content-length': '10' });
    res.write('abc');
  });
  t.after(() => srv.close());
  const transport = new Transport();
  t.after(() => transport.close());
  const url = srv.url.replace('http://', `http://bob:${SECRET}@`);
  const res = await new Client({ transport, timeout: 100 }).get(url);
  await assert.rejects(res.body.text(), (err: HttpoolError) => err.code === 'ERR_TIMEOUT' && noSecret(err));
  assert.ok(!new Request('GET', url).toString().includes(SECRET));
});

test('redactText masks userinfo passwords and leaves other text alone', () => {
  assert.equal(redactText('x http://u:p@h/y https://a:b:c@h2'), 'x http://u:***@h/y https://a:***@h2');
  assert.equal(redactText('http://user@h/p?q=a:b@c'), 'http://user@h/p?q=a:b@c');
});
