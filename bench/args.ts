// Command-line flags of `npm run bench` (node build/bench/run.js [flags]).

import type { ClientName } from './clients.js';
import { ALL_CLIENTS, MEMORY_ID, SCENARIOS } from './scenarios.js';

export interface BenchArgs {
  /** Measured seconds per client per round. */
  durationS: number;
  /** Warm-up seconds per client per scenario (not measured). */
  warmupS: number;
  rounds: number;
  json: boolean;
  /** Scenario ids to run, 'memory' included (all when empty). */
  only: string[];
  /** Clients to run (all when empty). */
  clients: ClientName[];
  /** null: nginx when installed, else the Node server. */
  server: 'nginx' | 'node' | null;
  pin: boolean;
  /** Write a V8 CPU profile of every Node client's process here (<scenario>-<client>.cpuprofile), or null. */
  profileDir: string | null;
}

export const DEFAULTS = { durationS: 2, warmupS: 0.5, rounds: 3 } as const;
export const QUICK = { durationS: 0.5, warmupS: 0.2, rounds: 1 } as const;

export const USAGE = `usage: node build/bench/run.js [flags]     (npm run bench -- [flags])
  --duration N      measured seconds per client per round (default ${DEFAULTS.durationS})
  --warmup N        warm-up seconds per client per scenario (default ${DEFAULTS.warmupS})
  --rounds N        rounds, clients rotated within each; medians are reported (default ${DEFAULTS.rounds})
  --quick           a short run: --rounds ${QUICK.rounds} --duration ${QUICK.durationS} --warmup ${QUICK.warmupS} (about a minute)
  --server KIND     nginx (default when installed) or node (the Node server child)
  --no-pin          do not pin (by default: server on CPU 0, clients on CPU 1, with taskset)
  --json            print machine-readable results instead of the tables
  --only IDS        comma-separated: ${[...SCENARIOS.map((s) => s.id), MEMORY_ID].join(', ')}
  --clients NAMES   comma-separated: ${ALL_CLIENTS.join(', ')}
  --profile DIR     write a CPU profile of each Node client's process, warm-up and rounds, to
                    DIR/<scenario>-<client>.cpuprofile (open in Chrome DevTools or speedscope),
                    and print each httpool profile's costliest functions
The default run (no flags) takes about 8 minutes; each flag set explicitly wins over --quick.`;

function numberFlag(flag: string, value: string | undefined, allowZero: boolean): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new Error(`${flag} needs a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}\n${USAGE}`);
  }
  return n;
}

function list(flag: string, value: string | undefined, allowed: readonly string[]): string[] {
  const items = (value ?? '').split(',').filter((s) => s !== '');
  const unknown = items.filter((s) => !allowed.includes(s));
  if (items.length === 0 || unknown.length > 0) throw new Error(`${flag}: unknown or missing ${unknown.join(', ') || 'value'}\n${USAGE}`);
  return items;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = { ...DEFAULTS, json: false, only: [], clients: [], server: null, pin: true, profileDir: null };
  const set = new Set<string>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--duration':
        out.durationS = numberFlag(flag, argv[++i], false);
        set.add(flag);
        break;
      case '--warmup':
        out.warmupS = numberFlag(flag, argv[++i], true);
        set.add(flag);
        break;
      case '--rounds':
        out.rounds = Math.max(1, Math.floor(numberFlag(flag, argv[++i], false)));
        set.add(flag);
        break;
      case '--quick':
        quick = true;
        break;
      case '--server': {
        const v = argv[++i];
        if (v !== 'nginx' && v !== 'node') throw new Error(`--server takes nginx or node, got ${String(v)}\n${USAGE}`);
        out.server = v;
        break;
      }
      case '--no-pin':
        out.pin = false;
        break;
      case '--json':
        out.json = true;
        break;
      case '--only':
        out.only = list(flag, argv[++i], [...SCENARIOS.map((s) => s.id), MEMORY_ID]);
        break;
      case '--clients':
        out.clients = list(flag, argv[++i], ALL_CLIENTS) as ClientName[];
        break;
      case '--profile': {
        const dir = argv[++i];
        if (dir === undefined || dir === '' || dir.startsWith('--')) throw new Error(`--profile needs a directory\n${USAGE}`);
        out.profileDir = dir;
        break;
      }
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${String(flag)}\n${USAGE}`);
    }
  }
  if (quick) {
    if (!set.has('--duration')) out.durationS = QUICK.durationS;
    if (!set.has('--warmup')) out.warmupS = QUICK.warmupS;
    if (!set.has('--rounds')) out.rounds = QUICK.rounds;
  }
  return out;
}
