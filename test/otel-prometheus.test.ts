// The README's Prometheus example (examples/otel-prometheus.ts) run as a process of its own
// against a loopback server, then scraped: the metrics a Prometheus server would read, with the
// values the example's three requests made. The README shows the same file, imports renamed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './support/peers.js';
import { httpServer } from './support/servers.js';
import { within } from './support/within.js';

const root = fileURLToPath(new URL('../../', import.meta.url));


test('the Prometheus example serves httpool metrics a scrape can read', async (t) => {
  const srv = await httpServer((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [`${root}build/examples/otel-prometheus.js`], {
    env: { ...process.env, METRICS_PORT: String(metricsPort), TARGET_URL: `${srv.url}/` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  await within(
    new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.includes('metrics on') && resolve());
      void exited.then((code) => reject(new Error(`example exited ${code}: ${err}`)));
    }),
    15_000,
    'the example to send its requests',
  );
  const res = await within(fetch(`http://127.0.0.1:${metricsPort}/metrics`), 5_000, 'scrape');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await res.text();
  const line = (name: string, ...labels: string[]): number => {
    const found = text.split('\n').filter((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)));
    assert.equal(found.length, 1, `${name} ${labels.join(' ')} in:\n${text}`);
    return Number(found[0]!.slice(found[0]!.lastIndexOf(' ') + 1));
  };
  const target = [`server_address="127.0.0.1"`, `server_port="${srv.port}"`];
  assert.equal(line('http_client_request_duration_count', ...target, 'http_response_status_code="200"', 'http_request_method="GET"'), 3);
  assert.equal(line('http_client_request_duration_bucket', ...target, 'le="10"'), 3);
  assert.equal(line('http_client_open_connections', ...target, 'http_connection_state="idle"'), 1);
  assert.equal(line('http_client_open_connections', ...target, 'http_connection_state="active"'), 0);
  assert.equal(line('httpool_client_requests_total', ...target, 'httpool_connection_reused="true"'), 2);
  child.kill('SIGTERM');
  assert.equal(await within(exited, 5_000, 'the example to stop'), 0);
});

test('the README shows the example as it is, with the package imports', () => {
  const example = readFileSync(`${root}examples/otel-prometheus.ts`, 'utf8');
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const lines = example.split('\n');
  const body = lines
    .slice(lines.findIndex((l) => !l.startsWith('//')))
    .join('\n')
    .replace("'../src/index.js'", "'httpool'")
    .replace("'../src/otel/index.js'", "'httpool/otel'")
    .trim();
  assert.ok(readme.includes(body), `README.md should hold examples/otel-prometheus.ts (less its header comment):\n${body}`);
});
