// Runs the built CLI (`node build/cli/main.js …`) as a child process with piped stdio, so it is
// never a TTY. TERM is set to a color terminal and NO_COLOR removed unless given, so a test
// about colors is not passed by the environment. Killed after `ms`: a CLI must exit on its own.

import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../cli/io.js';

export const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: Record<string, string>; ms?: number } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', ...opts.env };
  if (opts.env?.['NO_COLOR'] === undefined) delete env['NO_COLOR'];
  delete env['NODE_TEST_CONTEXT']; // the child is a CLI, not a test file
  return runProgram(process.execPath, [MAIN, ...args], env, opts.ms ?? 10_000, `httpool ${args.join(' ')}`);
}

/** Any program with piped stdio (curl, beside httpool), killed after `ms` as a hang. */
export function runProgram(file: string, args: string[], env: NodeJS.ProcessEnv, ms: number, label = `${file} ${args.join(' ')}`): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} still running after ${ms} ms (it must exit on its own)`));
    }, ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** An in-process Io whose streams say they are terminals, collecting what is written. */
export function ttyIo(env: NodeJS.ProcessEnv): { io: Io; out: () => string; err: () => string } {
  const sink = (): { stream: Writable & { isTTY: boolean }; text: () => string } => {
    const chunks: Buffer[] = [];
    const stream = Object.assign(
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(Buffer.from(chunk));
          cb();
        },
      }),
      { isTTY: true },
    );
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const o = sink();
  const e = sink();
  return { io: { out: o.stream, err: e.stream, env }, out: o.text, err: e.text };
}

