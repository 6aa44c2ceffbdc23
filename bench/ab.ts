// Two builds of httpool side by side (`node build/bench/ab.js --against DIR`): the build in this
// checkout (B) and another one (A: a directory with its compiled src/, such as another commit's
// `build/`), each in a client process of its own, measured in alternation against the bench's
// nginx, on the plain-HTTP scenarios. A change to the hot path shows here as B/A of the medians,
// in one run on one machine, where comparing two separate bench runs would mostly show the
// machine's drift.
//
//   git worktree add /tmp/base <commit> && ln -s "$PWD/node_modules" /tmp/base/node_modules
//   (cd /tmp/base && npx tsc -p tsconfig.json)
//   node build/bench/ab.js --against /tmp/base/build --only small-c50 --rounds 8

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { installSignalCleanup } from './cleanup.js';
import type { Target } from './clients.js';
import type { RunResult } from './measure.js';
import { findNginx, startNginx } from './nginx.js';
import { canPin, cpus, isPinned, reexecPinned } from './pin.js';
import { nodeRunner, type Runner } from './runner.js';
import { needsTls, SCENARIOS } from './scenarios.js';
import { median } from './stats.js';

const USAGE = `usage: node build/bench/ab.js --against DIR [--only IDS] [--rounds N] [--duration S]
  --against DIR   the other build: DIR/src/index.js is its httpool
  --only IDS      comma-separated plain-HTTP scenarios (default small-c50): ${SCENARIOS.filter((s) => !needsTls(s)).map((s) => s.id).join(', ')}
  --rounds N      runs of each build, alternating (default 8)
  --duration S    seconds per run (default 3)
  --otel-b        B runs with httpool/otel's instrumentation on (the SDK's tracer and meter
                  providers, every span sampled into a batch processor with an exporter that
                  drops them): with --against this build's own dir, the instrumentation's cost`;

interface AbArgs {
  against: string;
  only: string[];
  rounds: number;
  durationS: number;
  otelB: boolean;
}

function parse(argv: readonly string[]): AbArgs {
  const out: AbArgs = { against: '', only: ['small-c50'], rounds: 8, durationS: 3, otelB: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--against':
        out.against = resolve(v ?? '');
        i++;
        break;
      case '--only':
        out.only = (v ?? '').split(',').filter((s) => s !== '');
        i++;
        break;
      case '--rounds':
        out.rounds = Math.max(1, Math.floor(Number(v)));
        i++;
        break;
      case '--otel-b':
        out.otelB = true;
        break;
      case '--duration':
        out.durationS = Number(v);
        i++;
        break;
      default:
        throw new Error(`unknown flag ${String(argv[i])}\n${USAGE}`);
    }
  }
  if (out.against === '' || !existsSync(join(out.against, 'src/index.js'))) throw new Error(`--against needs a build directory with src/index.js\n${USAGE}`);
  if (!(out.durationS > 0) || !Number.isFinite(out.rounds)) throw new Error(USAGE);
  return out;
}

function summary(runs: readonly RunResult[]): { rps: number; cpu: number } {
  return {
    rps: median(runs.map((r) => (r.requests * 1000) / r.elapsedMs)),
    cpu: median(runs.map((r) => (r.cpuMs * 1000) / Math.max(1, r.requests))),
  };
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (!isPinned() && canPin()) return reexecPinned();
  installSignalCleanup();
  const bin = findNginx();
  if (bin === null) throw new Error('bench/ab needs nginx');
  const cpu = cpus();
  const server = await startNginx(bin, null, cpu.server);
  let failed = false;
  try {
    for (const id of args.only) {
      const sc = SCENARIOS.find((s) => s.id === id && !needsTls(s));
      if (sc === undefined) throw new Error(`no plain-HTTP scenario ${id}\n${USAGE}`);
      const target: Target = { origin: server.origins[sc.listener]!, ca: null, protocol: sc.protocol, concurrency: sc.concurrency, method: sc.method, path: sc.path, body: sc.body };
      const expect = { expectBytes: sc.expectBytes };
      const a: Runner = await nodeRunner('httpool', target, expect, cpu.client, null, { HTTPOOL_BENCH_BUILD: args.against });
      const b: Runner = await nodeRunner('httpool', target, expect, cpu.client, null, args.otelB ? { HTTPOOL_BENCH_OTEL: '1' } : {});
      const runs: { a: RunResult[]; b: RunResult[] } = { a: [], b: [] };
      try {
        await a.run(500);
        await b.run(500);
        for (let r = 0; r < args.rounds; r++) {
          // Alternating which goes first, so a trend in the machine's speed favours neither.
          for (const which of r % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
            const res = await (which === 'a' ? a : b).run(args.durationS * 1000);
            if (res.failure !== null || res.errors > 0) {
              failed = true;
              console.error(`${id} ${which}: ${res.failure ?? `${res.errors} errors`}`);
            }
            runs[which].push(res);
          }
        }
      } finally {
        await a.close();
        await b.close();
      }
      const sa = summary(runs.a);
      const sb = summary(runs.b);
      console.log(`${id}: A ${sa.rps.toFixed(0)} req/s ${sa.cpu.toFixed(1)} us/req | B ${sb.rps.toFixed(0)} req/s ${sb.cpu.toFixed(1)} us/req | B/A req/s ${(sb.rps / sa.rps).toFixed(3)}, CPU ${(sb.cpu / sa.cpu).toFixed(3)} (medians of ${args.rounds})`);
      console.log(`  A runs: ${runs.a.map((r) => ((r.requests * 1000) / r.elapsedMs).toFixed(0)).join(' ')}`);
      console.log(`  B runs: ${runs.b.map((r) => ((r.requests * 1000) / r.elapsedMs).toFixed(0)).join(' ')}`);
    }
  } finally {
    await server.stop();
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 3_000).unref();
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 3_000).unref();
  },
);
