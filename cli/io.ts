// What every httpool command shares: where output goes, colors (only on a TTY, never with
// NO_COLOR), one-line errors (the stack only with --debug), and conventional exit codes.

export const EXIT_OK = 0;
/** The command ran and found a failure (a request failed, a lab row could not run). */
export const EXIT_FAILURE = 1;
/** The command line was wrong: unknown flag, missing argument. */
export const EXIT_USAGE = 2;

export interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = { out: process.stdout, err: process.stderr, env: process.env };

/** Thrown for a bad command line; main prints it with the command's usage hint and exits 2. */
export class UsageError extends Error {}

export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

/** ANSI colors when the stream is a terminal and NO_COLOR is unset (no-color.org). */
export function paint(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Paint {
  const on = stream.isTTY === true && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '') && env['TERM'] !== 'dumb';
  const wrap = (code: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap(1), dim: wrap(2), red: wrap(31), green: wrap(32), yellow: wrap(33), cyan: wrap(36) };
}

/** One line for people; with --debug the stack and causes follow. */
export function formatError(err: unknown, debug: boolean): string {
  if (!(err instanceof Error)) return `httpool: ${String(err)}`;
  const code = (err as { code?: unknown }).code;
  const line = `httpool: ${typeof code === 'string' ? `${code}: ` : ''}${err.message}`;
  if (!debug) return line;
  let out = `${line}\n${err.stack ?? ''}`;
  let cause: unknown = err.cause;
  while (cause instanceof Error) {
    out += `\ncaused by: ${cause.stack ?? cause.message}`;
    cause = cause.cause;
  }
  return out;
}

/** A subcommand: gets its own arguments, returns the exit code. */
export type Command = (args: string[], io: Io) => Promise<number>;
