#!/usr/bin/env node
// The httpool command: `httpool get|head|post URL`, `httpool bench [URL]`, `httpool lab`.
// It answers what each seed report needed tcpdump, strace and lsof for: are my connections
// reused, and if not, why? Each subcommand lives in cli/commands/; this file only dispatches.

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { EXIT_USAGE, formatError, processIo, UsageError, type Command, type Io } from './io.js';

const USAGE = `usage: httpool <command> [options]

commands:
  get URL       GET a URL and print the body (like curl); -v shows the trace and reuse
  head URL      HEAD a URL and print the response head
  post URL      POST -d DATA to a URL
  bench [URL]   load a URL (or an embedded server) and report reuse, close reasons and advice
  lab           the seed incidents through fetch, node:http, undici and httpool, side by side

Run 'httpool <command> --help' for a command's options. --debug prints stacks on errors.`;

const COMMANDS: Record<string, () => Promise<Command>> = {
  get: async () => (await import('./commands/get.js')).get,
  head: async () => (await import('./commands/get.js')).head,
  post: async () => (await import('./commands/get.js')).post,
  bench: async () => (await import('./commands/bench.js')).bench,
  lab: async () => (await import('./commands/lab.js')).lab,
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out.write(`${USAGE}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    io.err.write(`httpool: unknown command "${name}"\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  try {
    return await (await load())(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err.write(`httpool ${name}: ${err.message}\nRun 'httpool ${name} --help' for usage.\n`);
      return EXIT_USAGE;
    }
    io.err.write(`${formatError(err, args.includes('--debug'))}\n`);
    return 1;
  }
}

// Run when executed directly (the bin, possibly through npm's symlink), not when imported by tests.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${formatError(err, true)}\n`);
      process.exitCode = 1;
    },
  );
}
