// How well `httpool bench --rate` holds a rate against nginx, beside wrk on the same server:
// the figure in docs/BENCHMARKS.md ("httpool bench --rate against nginx"). Not a test: it
// prints a table, and the machine it runs on decides the numbers.
//
//   npm run build:all && node build/bench/rate.js [--rates 1000,5000,10000] [--seconds 10] [-c 100] [--warmup 2] [--no-pin]
//
// nginx (one process, bench/nginx.ts) on CPU 0, every client on CPU 1. First the ceiling, in
// the closed model: wrk (C, epoll) and `httpool bench` each with 50 connections as fast as
// they go. Then `httpool bench --rate R` for each rate: did it send on schedule (achieved rate,
// late sends, max lag), and the latency from the scheduled send. wrk2 and oha, which have a
// fixed-rate mode, are not Debian packages; plain wrk has none, so it gives the ceiling only.

import { execFileSync, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { findNginx, startNginx } from './nginx.js';
import { canPin, CLIENT_CPU, onCpu, SERVER_CPU } from './pin.js';
import type { BenchResult } from '../cli/bench/run.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const rates = arg('--rates', '1000,2000,5000,10000,15000').split(',').map(Number).filter((n) => n > 0);
const seconds = Number(arg('--seconds', '10'));
const inFlight = Number(arg('-c', '100'));
/** Seconds of uncounted load before each open-model row (the client's cold start); 0 for none. */
const warmup = Number(arg('--warmup', '2'));
const pin = !process.argv.includes('--no-pin') && canPin();
const clientCpu = pin ? CLIENT_CPU : null;

/** Runs a client command on the client CPU; stdout as text. Bounded by the run's length. */
function run(cmd: string, args: string[]): Promise<string> {
  const [c, a] = onCpu(clientCpu, cmd, args);
  return new Promise((resolve, reject) => {
    const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => (out += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
    });
  });
}

/** wrk's "Requests/sec:" and its --latency percentiles (50/90/99), in ms. */
function parseWrk(out: string): { rps: number; p50: number; p90: number; p99: number } {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const pctl = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(out);
    if (m === null) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  return { rps, p50: pctl('50'), p90: pctl('90'), p99: pctl('99') };
}

const f = (n: number, d = 2): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');
const i = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const bin = findNginx();
  if (bin === null) throw new Error('nginx is not installed (apt-get install nginx)');
  let wrk: string | null = null;
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    wrk = 'wrk';
  } catch (err) {
    // wrk --version exits 1 after printing its version: found.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') wrk = 'wrk';
  }
  const nginx = await startNginx(bin, null, pin ? SERVER_CPU : null);
  try {
    const url = `${nginx.origins.http}/small`;
    console.log(`# httpool bench --rate against ${nginx.description}; ${pin ? `clients on CPU ${CLIENT_CPU}` : 'unpinned'}; node ${process.version}; ${seconds} s per row; load average ${loadavg()[0]!.toFixed(2)} at the start`);
    console.log('');
    console.log('Closed model, 50 connections as fast as they go (the ceiling):');
    console.log('');
    console.log('| client | command | req/s | p50 ms | p90 ms | p99 ms |');
    console.log('|---|---|---:|---:|---:|---:|');
    if (wrk !== null) {
      const args = ['-t1', '-c50', `-d${seconds}s`, '--latency', url];
      const w = parseWrk(await run(wrk, args));
      console.log(`| wrk 4.1 | \`wrk ${args.join(' ').replace(url, 'URL')}\` | ${i(w.rps)} | ${f(w.p50)} | ${f(w.p90)} | ${f(w.p99)} |`);
    }
    const closedArgs = ['bench', url, '-c', '50', '-d', String(seconds), '--json'];
    const c = JSON.parse(await run(process.execPath, [CLI, ...closedArgs])) as BenchResult;
    console.log(
      `| httpool bench | \`httpool bench URL -c 50 -d ${seconds}\` | ${i(c.requestsPerSecond)} | ${f(c.latencyMs?.p50 ?? NaN)} | ${f(c.latencyMs?.p90 ?? NaN)} | ${f(c.latencyMs?.p99 ?? NaN)} |`,
    );
    console.log('');
    const warm = warmup > 0 ? ` --warmup ${warmup}` : '';
    console.log(`Open model, \`httpool bench URL --rate R -d ${seconds} -c ${inFlight}${warm}\` (latency from the scheduled send):`);
    console.log('');
    console.log('| target req/s | sent req/s | held | late (> 5 ms) | waited for a slot | max lag ms | p50 ms | p99 ms | p99.9 ms | max ms | p99 from the actual send | connections dialed (after the warm-up) |');
    console.log('|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const rate of rates) {
      const r = JSON.parse(await run(process.execPath, [CLI, 'bench', url, '--rate', String(rate), '-d', String(seconds), '-c', String(inFlight), ...(warmup > 0 ? ['--warmup', String(warmup)] : []), '--json'])) as BenchResult;
      const o = r.open!;
      const l = r.latencyMs;
      console.log(
        `| ${i(rate)} | ${i(o.achievedRate)} | ${o.held ? 'yes' : '**no**'} | ${i(o.late)} of ${i(o.sent)} (${f((o.late * 100) / Math.max(1, o.sent), 1)}%) | ${i(o.waitedForSlot)} | ${f(o.maxLagMs, 1)} | ${f(l?.p50 ?? NaN)} | ${f(l?.p99 ?? NaN)} | ${f(l?.p999 ?? NaN)} | ${f(l?.max ?? NaN, 1)} | ${f(o.serviceMs?.p99 ?? NaN)} | ${i(r.connections.opened)} |`,
      );
    }
  } finally {
    await nginx.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
