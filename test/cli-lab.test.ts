// `httpool lab` (what `npm start` runs) as a user runs it: the built CLI in a child process.
// The full lab runs once with --json (it takes well under a minute) and the rows are checked
// for the figures the README quotes: httpool reuses where fetch and node:http dial again,
// every row ran, and the whole lab stays inside its time budget. Then the command line:
// --help, an unknown flag, and --report on a one-pattern run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row } from '../cli/lab/runner.js';

const MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));
/** The lab's own budget is a minute; a slow CI machine gets twice that before the test gives up. */
const LAB_MS = 120_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], ms: number): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_TEST_CONTEXT']; // the child is a CLI, not a test file
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`httpool ${args.join(' ')} still running after ${ms} ms; stderr:\n${stderr}`));
    }, ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

interface LabJson {
  node: string;
  patterns: { id: string; seed: string; explains: string }[];
  rows: Row[];
  skipped: string[];
}

function row(rows: readonly Row[], pattern: string, client: string): Row {
  const r = rows.find((x) => x.pattern.startsWith(pattern) && x.client === client);
  assert.ok(r !== undefined, `no row for pattern ${pattern} / ${client}`);
  return r;
}

test('lab --json: every row runs, httpool reuses connections where fetch and node:http dial again', { timeout: LAB_MS + 10_000 }, async () => {
  const run = await cli(['lab', '--json'], LAB_MS);
  assert.equal(run.code, 0, `exit code 0; stderr:\n${run.stderr}`);
  assert.ok(run.ms < 60_000, `the lab finished in ${Math.round(run.ms)} ms, over its one-minute budget`);
  const lab = JSON.parse(run.stdout) as LabJson;
  assert.equal(lab.patterns.length, 6);
  assert.deepEqual(lab.skipped, [], 'undici is a devDependency, so no row is skipped');
  for (const r of lab.rows) {
    assert.equal(r.failure, null, `${r.pattern} / ${r.client} failed: ${r.failure}`);
    assert.ok(r.explains.length > 20, `${r.pattern} / ${r.client} is explained in a sentence`);
  }
  // Every client is in every pattern.
  for (const p of lab.patterns) {
    const libraries = new Set(lab.rows.filter((r) => r.pattern === p.id).map((r) => r.library));
    assert.deepEqual([...libraries].sort(), ['fetch', 'httpool', 'node:http', 'undici'], `clients of ${p.id}`);
  }

  // Pattern 1, the seed 000/001 incident: bodies closed unread.
  const hp1 = row(lab.rows, '1 ', 'httpool');
  assert.equal(hp1.connections, 1, 'httpool served 300 early-closed requests on one connection');
  assert.equal(hp1.errors, 0);
  assert.equal(hp1.timeWait, 0);
  assert.ok(row(lab.rows, '1 ', 'fetch').connections >= 100, 'fetch dials again after each cancelled body');
  assert.ok(row(lab.rows, '1 ', 'node:http agent').connections >= 100, 'node:http dials again after each destroyed response');

  // Pattern 2, bodies dropped unread: httpool keeps one connection, node:http pins one per call.
  assert.equal(row(lab.rows, '2 ', 'httpool').connections, 1);
  assert.ok(row(lab.rows, '2 ', 'node:http agent').connections >= 100);

  // Pattern 3: a used stream is refused, never sent short; a function body always works.
  const same = row(lab.rows, '3 ', 'httpool (same stream)');
  assert.equal(same.shortBodies, 0);
  assert.equal(same.errorCodes['ERR_BODY_NOT_REPLAYABLE'], same.requests / 2);
  const fresh = row(lab.rows, '3 ', 'httpool (() => stream)');
  assert.equal(fresh.errors, 0);
  assert.equal(fresh.served, fresh.requests);

  // Pattern 4: 50 callers, 50 connections; Go's 2 idle slots name the churn.
  assert.ok(row(lab.rows, '4 ', 'httpool').connections <= 50);
  const go = row(lab.rows, '4 ', 'httpool (Go idle/host 2)');
  assert.ok((go.closeReasons?.['idle-pool-full'] ?? 0) > 0, 'Go-sized idle pool closes as idle-pool-full');

  // Pattern 5: no client errs when the server closes idle connections first.
  assert.equal(row(lab.rows, '5 ', 'httpool').errors, 0);

  // Pattern 6: a Client per call still shares the default transport.
  assert.ok(row(lab.rows, '6 ', 'httpool new Client()').connections <= 2);
  assert.ok(row(lab.rows, '6 ', 'node:http Agent per call').connections >= 100);
});

test('lab --help prints the usage and exits 0', { timeout: 20_000 }, async () => {
  const run = await cli(['lab', '--help'], 15_000);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /usage: httpool lab/);
  assert.match(run.stdout, /--report FILE\.html/);
});

test('lab with an unknown flag exits 2 and names the flag', { timeout: 20_000 }, async () => {
  const run = await cli(['lab', '--no-such-flag'], 15_000);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /unknown option --no-such-flag/);
  assert.equal(run.stdout, '');
  const bad = await cli(['lab', '--pattern', '9'], 15_000);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no pattern 9/);
});

test('lab --pattern 1 --report writes one page with a timeline per httpool row', { timeout: 40_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'httpool-lab-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'lab.html');
  const run = await cli(['lab', '--pattern', '1', '--report', file], 30_000);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^pattern +client/, 'the table still goes to stdout');
  assert.match(run.stderr, /report written to/);
  const html = await readFile(file, 'utf8');
  // Pattern 1 has one httpool row, so one timeline; its one connection is in the data.
  assert.equal(html.match(/<section class="timeline"/g)?.length, 1);
  assert.match(html, /data-connections="1"/);
  assert.match(html, /Only httpool publishes these channels/);
  // Self-contained: nothing the browser would fetch, and a policy that forbids it anyway.
  assert.doesNotMatch(html, /<(link|img|iframe|object|embed)\b|\b(src|href)=|url\(|@import/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});
