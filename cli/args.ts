// The command-line parser every httpool subcommand can share. A command declares its flags
// (boolean, one value, or a repeatable value like curl's -H) and gets typed results back;
// anything it did not declare is a UsageError, so a typo never silently changes a request.
//
// Accepted forms: --name, --name value, --name=value, -x, -x value, -xvalue, clustered short
// booleans (-fv, and -fvH value: the last one may take a value), and `--`, after which every
// argument is positional. A lone `-` is positional (the conventional "stdin"). Flags and
// positional arguments may be interleaved (`get URL -v` and `get -v URL` mean the same).

import { UsageError } from './io.js';

export interface FlagSpec {
  /** boolean: present or not; value: one value (the last one given wins); list: repeatable. */
  kind: 'boolean' | 'value' | 'list';
  /** A one-letter alias, without the dash ('H' for -H). */
  short?: string;
}

/** Long flag names (without dashes) to their specs. */
export type FlagSpecs = Record<string, FlagSpec>;

/** What each declared flag parsed to: boolean, string | undefined, or string[]. */
export type FlagValues<S extends FlagSpecs> = {
  [K in keyof S]: S[K]['kind'] extends 'boolean' ? boolean : S[K]['kind'] extends 'list' ? string[] : string | undefined;
};

export interface Parsed<S extends FlagSpecs> {
  flags: FlagValues<S>;
  positionals: string[];
  /**
   * Every value given, across flags, in command-line order: for flags whose relative order
   * matters (curl joins -d and --data-binary values in the order they were typed).
   */
  sequence: { name: keyof S & string; value: string }[];
}

export function parseArgs<S extends FlagSpecs>(argv: readonly string[], specs: S): Parsed<S> {
  const flags: Record<string, boolean | string | string[] | undefined> = {};
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    flags[name] = spec.kind === 'boolean' ? false : spec.kind === 'list' ? [] : undefined;
    if (spec.short !== undefined) byShort.set(spec.short, name);
  }
  const positionals: string[] = [];
  const sequence: { name: string; value: string }[] = [];

  const set = (name: string, value: string): void => {
    sequence.push({ name, value });
    const current = flags[name];
    if (Array.isArray(current)) current.push(value);
    else flags[name] = value;
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
      if (spec === undefined) throw new UsageError(`unknown flag --${name}`);
      if (spec.kind === 'boolean') {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        flags[name] = true;
      } else if (eq >= 0) {
        set(name, arg.slice(eq + 1));
      } else {
        // The next argument is the value even when it starts with a dash (`-d -x` sends "-x"),
        // as in curl and Go's flag package.
        if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
        set(name, argv[++i]!);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // A cluster of short flags: booleans until one that takes a value swallows the rest.
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        const name = byShort.get(letter);
        if (name === undefined) throw new UsageError(`unknown flag -${letter}${arg.length > 2 ? ` (in ${arg})` : ''}`);
        if (specs[name]!.kind === 'boolean') {
          flags[name] = true;
          continue;
        }
        if (j + 1 < arg.length) {
          set(name, arg.slice(j + 1));
        } else {
          if (i + 1 >= argv.length) throw new UsageError(`-${letter} needs a value`);
          set(name, argv[++i]!);
        }
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { flags: flags as FlagValues<S>, positionals, sequence: sequence as Parsed<S>['sequence'] };
}

/** An integer flag value within [min, max]; undefined when the flag was not given. */
export function intFlag(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} needs a whole number${max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` from ${min} to ${max}`}, got ${JSON.stringify(value)}`);
  }
  return n;
}
