// Command-line flags of `npm run bench` (node build/bench/run.js [flags]).

export interface BenchArgs {
  /** Measured seconds per client per round. */
  durationS: number;
  /** Warm-up seconds per client per scenario (not measured). */
  warmupS: number;
  rounds: number;
  json: boolean;
  /** Scenario ids to run (all when empty). */
  only: string[];
}

export const USAGE = `usage: node build/bench/run.js [--duration N] [--warmup N] [--rounds N] [--quick] [--json] [--only a,b,c]
  --duration N  measured seconds per client per round (default 5)
  --warmup N    warm-up seconds per client per scenario (default 1)
  --rounds N    rounds, clients interleaved within each (default 1)
  --quick       CI-friendly: --duration 1 --warmup 0.25
  --json        print machine-readable results instead of the table
  --only IDS    comma-separated scenario ids: small-c50, small-c1, mib-c8, https-c50, h2-c50
                (https-c50 and h2-c50 need the openssl CLI, for a throw-away certificate)`;

function numberFlag(flag: string, value: string | undefined, allowZero: boolean): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new Error(`${flag} needs a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}\n${USAGE}`);
  }
  return n;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = { durationS: 5, warmupS: 1, rounds: 1, json: false, only: [] };
  let quick = false;
  let durationSet = false;
  let warmupSet = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--duration':
        out.durationS = numberFlag(flag, argv[++i], false);
        durationSet = true;
        break;
      case '--warmup':
        out.warmupS = numberFlag(flag, argv[++i], true);
        warmupSet = true;
        break;
      case '--rounds':
        out.rounds = Math.max(1, Math.floor(numberFlag(flag, argv[++i], false)));
        break;
      case '--quick':
        quick = true;
        break;
      case '--json':
        out.json = true;
        break;
      case '--only':
        out.only = (argv[++i] ?? '').split(',').filter((s) => s !== '');
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${String(flag)}\n${USAGE}`);
    }
  }
  // --quick only sets what the caller did not set explicitly.
  if (quick && !durationSet) out.durationS = 1;
  if (quick && !warmupSet) out.warmupS = 0.25;
  return out;
}
