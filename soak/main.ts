// `npm run soak`: the command line. Exit 0 when every check passed, 1 when one failed (the
// report says which), 2 on a bad command line.

import { parseArgs } from 'node:util';
import { formatReport } from './report.js';
import { DEFAULT_OPTIONS, runSoak, type SoakOptions } from './run.js';

const USAGE = `usage: npm run soak -- [--duration <s>] [--seed <n>] [--concurrency <n>] [--json]

Mixed traffic through one capped httpool Transport against a faulty server in a child
process; fails on a wrong byte, a hang, an undeserved or untyped error, connections over the
caps, or descriptors and heap that keep growing.`;

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

async function main(): Promise<number> {
  let opts: SoakOptions;
  let json = false;
  try {
    const { values } = parseArgs({
      options: {
        duration: { type: 'string' },
        seed: { type: 'string' },
        concurrency: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    json = values.json === true;
    opts = {
      ...DEFAULT_OPTIONS,
      durationS: positiveInt('duration', values.duration, DEFAULT_OPTIONS.durationS),
      seed: positiveInt('seed', values.seed, DEFAULT_OPTIONS.seed),
      concurrency: positiveInt('concurrency', values.concurrency, DEFAULT_OPTIONS.concurrency),
    };
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  const progress = json ? undefined : (line: string): void => void process.stderr.write(`  ${line}\n`);
  const report = await runSoak(opts, progress);
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
