// Starts bench/server.ts in a child process and talks to it over IPC: its port, and its
// connection/request counters (the server's view is the same for every client, so
// "connections opened" is measured there, not trusted from a client's own stats).

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServerCounters {
  connections: number;
  requests: number;
}

export interface ServerProcess {
  origin: string;
  counters(): Promise<ServerCounters>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STATS_TIMEOUT_MS = 5_000;

interface Message {
  type?: unknown;
  port?: unknown;
  connections?: unknown;
  requests?: unknown;
}

function asMessage(msg: unknown): Message {
  return typeof msg === 'object' && msg !== null ? (msg as Message) : {};
}

/** Waits for the first IPC message that `pick` accepts, or fails after `ms`. */
function nextMessage<T>(child: ChildProcess, ms: number, pick: (m: Message) => T | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`bench server: no reply within ${ms} ms`)), ms);
    const onMessage = (raw: unknown): void => {
      const v = pick(asMessage(raw));
      if (v !== undefined) finish(null, v);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`bench server exited (code ${code}, signal ${signal})`));
    function finish(err: Error | null, v?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err !== null) reject(err);
      else resolve(v as T);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export async function startServerProcess(): Promise<ServerProcess> {
  const script = fileURLToPath(new URL('./server.js', import.meta.url));
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const stop = async (): Promise<void> => {
    if (exited) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await gone;
    clearTimeout(timer);
  };
  try {
    const port = await nextMessage(child, START_TIMEOUT_MS, (m) =>
      m.type === 'listening' && typeof m.port === 'number' ? m.port : undefined,
    );
    return {
      origin: `http://127.0.0.1:${port}`,
      async counters() {
        const reply = nextMessage(child, STATS_TIMEOUT_MS, (m) =>
          m.type === 'stats' && typeof m.connections === 'number' && typeof m.requests === 'number'
            ? { connections: m.connections, requests: m.requests }
            : undefined,
        );
        child.send({ type: 'stats' });
        return reply;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
