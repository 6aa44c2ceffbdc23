// The --report page in a real browser: Debian's headless Chromium loads pages generated here
// and the test reads back the DOM the page's script built (lanes, legend) and a screenshot.
// The first page comes from a real run: a Transport against a loopback server, driven so that
// connections end for several different reasons. A second, synthetic page checks the lane cap
// (hundreds of connections) and that hostile text stays text. One more test, without the
// browser, checks the recorder's memory caps and that it stops listening.
//
// Chromium is required, not optional: without it this test FAILS (CI installs it in .ci/run).
// Artifacts: build/artifacts/report.html and report.png; UPDATE_SCREENSHOT=1 also copies the
// screenshot to docs/report-screenshot.png for the README.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client, Transport } from '../src/index.js';
import { MAX_LANES, type ReportModel } from '../cli/report/html.js';
import { TimelineRecorder, type Timeline, type TimelineConnection } from '../cli/report/timeline.js';
import { writeReport } from '../cli/report/write.js';
import { httpServer, sleep, until } from './support/servers.js';

const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'build', 'artifacts');
/** One Chromium run (start, load, render, exit) takes a second or two; a hang is killed here. */
const CHROMIUM_MS = 45_000;

interface BrowserRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs headless Chromium once with a throwaway profile. It runs in its own process group so a
 * timeout can kill it with every helper process it started (zygote, renderer, GPU).
 */
async function chromium(args: string[]): Promise<BrowserRun> {
  assert.ok(
    existsSync(CHROMIUM),
    `headless Chromium is required for this test and was not found at ${CHROMIUM}: ` +
      'install it with `apt-get install -y chromium` (.ci/run does), or set CHROMIUM to its path',
  );
  const profile = await mkdtemp(join(tmpdir(), 'httpool-chromium-'));
  const base = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--hide-scrollbars', `--user-data-dir=${profile}`,
  ];
  try {
    return await new Promise<BrowserRun>((resolve, reject) => {
      const child = spawn(CHROMIUM, [...base, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const timer = setTimeout(() => {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        reject(new Error(`chromium ${args.join(' ')} still running after ${CHROMIUM_MS} ms; stderr:\n${stderr.slice(-2000)}`));
      }, CHROMIUM_MS);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The DOM after the page's script ran. */
async function dumpDom(file: string): Promise<string> {
  const run = await chromium(['--dump-dom', pathToFileURL(file).href]);
  assert.equal(run.code, 0, `chromium --dump-dom failed:\n${run.stderr.slice(-2000)}`);
  assert.match(run.stdout, /<\/html>/, 'chromium printed the document');
  return run.stdout;
}

async function screenshot(file: string, png: string): Promise<void> {
  await rm(png, { force: true });
  const run = await chromium([`--screenshot=${png}`, '--window-size=1400,900', pathToFileURL(file).href]);
  assert.equal(run.code, 0, `chromium --screenshot failed:\n${run.stderr.slice(-2000)}`);
  const bytes = await readFile(png);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG was written');
  // A blank page compresses to a few KiB; lanes, legend and text make it far larger.
  assert.ok((await stat(png)).size > 30_000, 'the screenshot has content');
}

const count = (html: string, re: RegExp): number => html.match(re)?.length ?? 0;

/**
 * A real run whose connections end for different reasons: a pool of 2 idle slots under
 * bursts of 8 (idle-pool-full), a large body closed early (body-not-drained), responses with
 * Connection: close, idle connections the server closes (server-closed), and the transport's
 * close at the end (transport-closed).
 */
async function recordRealRun(): Promise<{ timeline: Timeline; serverConnections: number }> {
  const big = Buffer.alloc(1 << 20, 'b');
  const srv = await httpServer((req, res) => {
    if (req.url === '/big') return void res.end(big);
    if (req.url === '/close') res.setHeader('Connection', 'close');
    // A little service time so bursts overlap and the bars have width.
    setTimeout(() => res.end('ok'), 3);
  });
  const transport = new Transport({ maxIdleConnsPerHost: 2, maxDrainBytes: 16 * 1024 });
  const client = new Client({ transport, timeout: 10_000 });
  const recorder = new TimelineRecorder().start();
  try {
    const small = async (): Promise<void> => void (await (await client.get(`${srv.url}/small`)).body.text());
    for (let burst = 0; burst < 3; burst++) {
      await Promise.all(Array.from({ length: 8 }, small));
      await sleep(15);
    }
    const early = await client.get(`${srv.url}/big`);
    await early.body.close();
    for (let i = 0; i < 2; i++) await (await client.get(`${srv.url}/close`)).body.text();
    for (let i = 0; i < 5; i++) {
      await small();
      await sleep(8);
    }
    srv.server.closeIdleConnections();
    await until(() => (transport.stats().totals.closed['server-closed'] ?? 0) > 0, 2_000, 'the pool to see the server close');
    await Promise.all(Array.from({ length: 3 }, small));
    await sleep(20);
  } finally {
    await transport.close();
    await srv.close();
  }
  return { timeline: recorder.stop(), serverConnections: srv.connections };
}

function realModel(timeline: Timeline, stats: Record<string, number>): ReportModel {
  return {
    title: 'httpool report: a small real run',
    meta: ['test/report.browser.test.ts: a Transport (maxIdleConnsPerHost 2) against a loopback server'],
    blocks: [
      { kind: 'text', paragraphs: ['Bursts of 8 requests through 2 idle slots, one large body closed early, two Connection: close responses, then the server closes the idle connections.'] },
      { kind: 'timeline', title: 'Connection timeline', timeline },
      { kind: 'closeReasons', title: 'Why connections closed', counts: stats },
    ],
  };
}

test('report: a real run draws one lane per connection and a legend entry per close reason', { timeout: 120_000 }, async () => {
  const { timeline, serverConnections } = await recordRealRun();
  const reasons = new Map<string, number>();
  for (const c of timeline.connections) if (c.reason !== null) reasons.set(c.reason, (reasons.get(c.reason) ?? 0) + 1);
  // The recorder saw every connection the server accepted, and each of them closed.
  assert.equal(timeline.connections.length, serverConnections);
  assert.ok(timeline.connections.every((c) => c.closedAt !== null && c.openedAt !== null));
  for (const r of ['idle-pool-full', 'body-not-drained', 'connection-close', 'server-closed', 'transport-closed']) {
    assert.ok(reasons.has(r), `some connection closed as ${r} (saw ${[...reasons.keys()].join(', ')})`);
  }
  const served = timeline.connections.reduce((n, c) => n + c.requests.length, 0);
  assert.equal(served, 3 * 8 + 1 + 2 + 5 + 3, 'every request is on the timeline');
  assert.ok(timeline.connections.flatMap((c) => c.requests).every((r) => r.end !== null && r.end >= r.start));

  await mkdir(ARTIFACTS, { recursive: true });
  const file = await writeReport(join(ARTIFACTS, 'report.html'), realModel(timeline, Object.fromEntries(reasons)));
  const dom = await dumpDom(file);
  assert.match(dom, /data-timelines-drawn="1"/, 'the page script ran to the end');
  assert.equal(count(dom, /<g class="tl-lane"/g), timeline.connections.length, 'one lane per connection');
  for (const c of timeline.connections) {
    assert.match(dom, new RegExp(`<g class="tl-lane" data-conn="${c.id}" data-reason="${c.reason}"`), `lane #${c.id}`);
  }
  for (const [reason, n] of reasons) {
    assert.match(dom, new RegExp(`class="tl-legend-item" data-reason="${reason}"[^]*?<span class="count">\u00d7${n}</span>`), `legend: ${reason} ×${n}`);
    assert.equal(count(dom, new RegExp(`class="tl-end" data-reason="${reason}"`, 'g')), n, `end markers for ${reason}`);
  }
  assert.ok(count(dom, /class="tl-req"/g) >= timeline.connections.length, 'request bars were drawn');

  const png = join(ARTIFACTS, 'report.png');
  await screenshot(file, png);
  if (process.env['UPDATE_SCREENSHOT'] === '1') await copyFile(png, join(ROOT, 'docs', 'report-screenshot.png'));
});

/** A synthetic connection: opened at `i` ms, two requests, closed as `reason` (or still open). */
function fakeConnection(i: number, key: string, reason: string | null): TimelineConnection {
  return {
    id: i + 1,
    key,
    openedAt: i,
    closedAt: reason === null ? null : i + 40,
    reason,
    served: 2,
    requests: [
      { start: i, end: i + 10, firstByte: i + 5, reused: false, notKept: null },
      { start: i + 20, end: i + 30, firstByte: null, reused: true, notKept: null },
    ],
  };
}

test('report: hundreds of connections draw at most 500 lanes, and hostile text stays text', { timeout: 120_000 }, async () => {
  const hostile = '</script><script>document.body.dataset.pwned="1"</script><img src=x onerror="document.body.dataset.pwned=2">';
  const total = 700;
  const connections = Array.from({ length: total }, (_, i) =>
    fakeConnection(i, i === 0 ? `http://${hostile}:80` : 'http://127.0.0.1:8080', i % 7 === 0 ? null : i % 2 === 0 ? 'idle-pool-full' : hostile),
  );
  const timeline: Timeline = { startedAtEpoch: Date.now(), duration: total + 50, connections, droppedRequests: 0, droppedConnections: 0 };
  await mkdir(ARTIFACTS, { recursive: true });
  const file = await writeReport(join(ARTIFACTS, 'report-many.html'), {
    title: `many connections ${hostile}`,
    meta: [hostile],
    blocks: [
      { kind: 'table', title: hostile, header: ['a', hostile], rows: [[hostile, '1']] },
      { kind: 'list', items: [hostile, { text: hostile, items: [hostile] }] },
      { kind: 'closeReasons', counts: { [hostile]: 3 } },
      { kind: 'timeline', title: hostile, description: hostile, timeline },
    ],
  });
  const dom = await dumpDom(file);
  assert.match(dom, /data-timelines-drawn="1"/, 'the page script ran despite "</script>" in its data');
  assert.equal(count(dom, /<g class="tl-lane"/g), MAX_LANES, `only the first ${MAX_LANES} lanes are drawn`);
  assert.match(dom, new RegExp(`${total} connections recorded: the first ${MAX_LANES} are drawn, ${total - MAX_LANES} more are not`));
  assert.doesNotMatch(dom, /<body[^>]*data-pwned/, 'no injected script or handler ran');
  // Chromium serialises the body after the script ran: no element came from the data.
  const body = dom.slice(dom.indexOf('<body'));
  assert.equal(count(body, /<img\b/g), 0, 'no <img> element was created from text');
  assert.ok(count(body, /&lt;img src=x/g) >= 5, 'the text is shown, escaped');
  // A reason this report doesn't know still gets a lane color and a legend entry.
  assert.match(dom, /class="tl-legend-item" data-reason="&lt;\/script&gt;/);
});

test('recorder: past its caps it counts instead of storing, and after stop() it records nothing', { timeout: 30_000 }, async () => {
  const srv = await httpServer((_req, res) => res.end('ok'));
  const transport = new Transport({ disableKeepAlives: true }); // a connection per request
  const client = new Client({ transport, timeout: 10_000 });
  try {
    const one = async (): Promise<void> => void (await (await client.get(`${srv.url}/`)).body.text());
    const recorder = new TimelineRecorder({ maxRequests: 3, maxConnections: 4 }).start();
    for (let i = 0; i < 6; i++) await one();
    const timeline = recorder.stop();
    assert.equal(timeline.connections.length, 4, 'connections stored up to the cap');
    assert.equal(timeline.droppedConnections, 2, 'the rest counted');
    assert.equal(timeline.connections.reduce((n, c) => n + c.requests.length, 0), 3, 'requests stored up to the cap');
    assert.equal(timeline.droppedRequests, 3, 'the rest counted');
    assert.ok(timeline.connections.every((c) => c.reason === 'keepalives-disabled'));
    await one();
    assert.equal(recorder.stop(), timeline, 'stop() returns the same timeline');
    assert.equal(timeline.droppedRequests, 3, 'nothing recorded after stop()');
  } finally {
    await transport.close();
    await srv.close();
  }
});
