// Starts bench/server.ts in a child process (pinned to the server CPU when the bench is
// pinned) and talks to it over IPC: its listeners' ports, and its counters (the server's view
// is the same for every client, so "connections opened" is measured there, not trusted from a
// client's own stats).

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.js';
import { onCpu } from './pin.js';
import { processCpuMs, stopChild, type ServerCounters, type ServerProcess, type ServerTls } from './server-process.js';

/** The Node server's counters: the shared ones and /slow requests still held back. */
export interface NodeServerCounters extends ServerCounters {
  parked: number;
}

export interface NodeServerProcess extends ServerProcess {
  counters(): Promise<NodeServerCounters>;
  /** The `--h2-idle-ports` listeners (startNodeServer's h2IdlePorts), one origin each. */
  h2IdleOrigins: string[];
}

const START_TIMEOUT_MS = 10_000;
const STATS_TIMEOUT_MS = 5_000;

interface Message {
  type?: unknown;
  port?: unknown;
  tlsPort?: unknown;
  h2Port?: unknown;
  h2Max128Port?: unknown;
  h2IdlePorts?: unknown;
  connections?: unknown;
  requests?: unknown;
  parked?: unknown;
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

/** `h2IdlePorts`: that many extra HTTP/2 listeners (with `tls`), for the memory figure per idle session. */
export async function startNodeServer(tls: ServerTls | null, cpu: number | null, h2IdlePorts = 0): Promise<NodeServerProcess> {
  const script = fileURLToPath(new URL('./server.js', import.meta.url));
  const tlsArgs = tls === null ? [] : ['--tls-key', tls.keyPath, '--tls-cert', tls.certPath, '--h2-idle-ports', String(h2IdlePorts)];
  const [cmd, args] = onCpu(cpu, process.execPath, [script, ...tlsArgs]);
  // spawn with an 'ipc' slot rather than fork, so taskset can sit in front of node.
  const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const unregister = onCleanup(() => stopChild(child));
  const stop = async (): Promise<void> => {
    unregister();
    await stopChild(child);
  };
  try {
    const ports = await nextMessage(child, START_TIMEOUT_MS, (m) =>
      m.type === 'listening' && typeof m.port === 'number'
        ? {
            port: m.port,
            tlsPort: portOrNull(m.tlsPort),
            h2Port: portOrNull(m.h2Port),
            h2Max128Port: portOrNull(m.h2Max128Port),
            h2IdlePorts: Array.isArray(m.h2IdlePorts) ? m.h2IdlePorts.filter((p): p is number => typeof p === 'number') : [],
          }
        : undefined,
    );
    // 127.0.0.1, not localhost: the certificate names both, and no client may pick ::1.
    return {
      kind: 'node',
      description: `Node ${process.version} server child (raw HTTP/1.1, node:http2)${cpu === null ? '' : ` on CPU ${cpu}`}`,
      origins: {
        http: `http://127.0.0.1:${ports.port}`,
        httpNoPush: `http://127.0.0.1:${ports.port}`,
        https: ports.tlsPort === null ? null : `https://127.0.0.1:${ports.tlsPort}`,
        h2: ports.h2Port === null ? null : `https://127.0.0.1:${ports.h2Port}`,
        h2Max128: ports.h2Max128Port === null ? null : `https://127.0.0.1:${ports.h2Max128Port}`,
      },
      h2IdleOrigins: ports.h2IdlePorts.map((p) => `https://127.0.0.1:${p}`),
      async counters() {
        const reply = nextMessage(child, STATS_TIMEOUT_MS, (m) =>
          m.type === 'stats' && typeof m.connections === 'number' && typeof m.requests === 'number' && typeof m.parked === 'number'
            ? { connections: m.connections, requests: m.requests, parked: m.parked }
            : undefined,
        );
        child.send({ type: 'stats' });
        return reply;
      },
      cpuMs: () => processCpuMs(child.pid),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
