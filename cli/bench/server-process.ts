// Starts the embedded server (server.ts) in a child process (server-child.ts) and talks to it
// over IPC: the port comes back in a 'ready' message, the counters on request. Whatever
// happens, the child does not outlive the bench: close() asks it to exit and SIGKILLs it after
// a grace period, a 'exit' hook on this process kills it if close() was never reached, and the
// child exits by itself when the IPC channel drops (server-child.ts).

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EmbeddedServerInfo, EmbeddedServerOptions } from './server.js';
import type { ToChild } from './server-child.js';

const CHILD = fileURLToPath(new URL('./server-child.js', import.meta.url));
/** How long the child may take to listen, answer a counters request, or exit when asked. */
const START_MS = 10_000;
const ANSWER_MS = 2_000;
const EXIT_MS = 2_000;

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  readonly info: EmbeddedServerInfo;
  /** Connections accepted and requests answered so far (asked over IPC). */
  counters(): Promise<{ connections: number; requests: number }>;
  /** Asks the child to close and exit; SIGKILL if it has not within EXIT_MS. Safe to call twice. */
  close(): Promise<void>;
}

type FromChild =
  | { type: 'ready'; url: string; info: EmbeddedServerInfo }
  | { type: 'counters'; connections: number; requests: number }
  | { type: 'error'; message: string };

/** The next message of `type` from the child, or a rejection on timeout or exit. */
function nextMessage<T extends FromChild['type']>(child: ChildProcess, type: T, ms: number): Promise<Extract<FromChild, { type: T }>> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (m: FromChild): void => {
      if (m.type === 'error') {
        done();
        reject(new Error(`embedded server: ${m.message}`));
      } else if (m.type === type) {
        done();
        resolve(m as Extract<FromChild, { type: T }>);
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      done();
      reject(new Error(`embedded server process exited (${signal ?? `code ${code}`}) before answering`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`embedded server process did not answer within ${ms} ms`));
    }, ms);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export async function startServerProcess(options: EmbeddedServerOptions): Promise<ServerProcess> {
  // stdout ignored (the bench's stdout is its report), stderr shared so a crash is visible.
  const child = fork(CHILD, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
  let exited = false;
  const exitedP = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exitedP.then(() => {
    exited = true;
  });
  // Last resort: if this process exits without close() (an uncaught error), take the child along.
  const killOnExit = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      if (!exited && child.connected) child.send({ type: 'close' } satisfies ToChild);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exitedP, new Promise<void>((r) => (timer = setTimeout(r, EXIT_MS)))]);
      clearTimeout(timer);
      if (!exited) {
        child.kill('SIGKILL');
        await exitedP;
      }
      process.off('exit', killOnExit);
    })());

  try {
    const ready = nextMessage(child, 'ready', START_MS);
    child.send({ type: 'start', options } satisfies ToChild);
    const { url, info } = await ready;
    return {
      url,
      info,
      pid: child.pid!,
      counters: async () => {
        const answer = nextMessage(child, 'counters', ANSWER_MS);
        child.send({ type: 'counters' } satisfies ToChild);
        const { connections, requests } = await answer;
        return { connections, requests };
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
