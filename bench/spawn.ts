// Starts bench/server.ts in a child process and talks to it over IPC: its listeners' ports,
// and its connection/request counters (the server's view is the same for every client, so
// "connections opened" is measured there, not trusted from a client's own stats).

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServerCounters {
  connections: number;
  requests: number;
}

/** Where each listener is; the TLS ones are null when the server was started without a certificate. */
export interface Origins {
  http: string;
  https: string | null;
  h2: string | null;
}

export type Listener = keyof Origins;

/** The server's key and certificate files, for its TLS listeners. */
export interface ServerTls {
  keyPath: string;
  certPath: string;
}

export interface ServerProcess {
  origins: Origins;
  counters(): Promise<ServerCounters>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STATS_TIMEOUT_MS = 5_000;

interface Message {
  type?: unknown;
  port?: unknown;
  tlsPort?: unknown;
  h2Port?: unknown;
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

function portOrNull(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

export async function startServerProcess(tls: ServerTls | null): Promise<ServerProcess> {
  const script = fileURLToPath(new URL('./server.js', import.meta.url));
  const argv = tls === null ? [] : ['--tls-key', tls.keyPath, '--tls-cert', tls.certPath];
  const child = fork(script, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
    const ports = await nextMessage(child, START_TIMEOUT_MS, (m) =>
      m.type === 'listening' && typeof m.port === 'number'
        ? { port: m.port, tlsPort: portOrNull(m.tlsPort), h2Port: portOrNull(m.h2Port) }
        : undefined,
    );
    // 127.0.0.1, not localhost: the certificate names both, and no client may pick ::1.
    return {
      origins: {
        http: `http://127.0.0.1:${ports.port}`,
        https: ports.tlsPort === null ? null : `https://127.0.0.1:${ports.tlsPort}`,
        h2: ports.h2Port === null ? null : `https://127.0.0.1:${ports.h2Port}`,
      },
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
