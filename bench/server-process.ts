// What the bench needs from a server, whichever it is (nginx, bench/nginx.ts; or the Node
// server child, bench/spawn.ts): where its listeners are, its counters, and a way to stop it.

export type ServerKind = 'nginx' | 'node';

export interface ServerCounters {
  /** Connections accepted so far (all listeners). */
  connections: number;
  /** Requests seen so far (HTTP/1.1 heads, HTTP/2 streams). */
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
  kind: ServerKind;
  /** e.g. "nginx/1.22.1 on CPU 0". */
  description: string;
  origins: Origins;
  counters(): Promise<ServerCounters>;
  stop(): Promise<void>;
}

/** Stops a child process: SIGTERM, then SIGKILL if it has not gone within 2 s. */
export async function stopChild(child: import('node:child_process').ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await gone;
  clearTimeout(timer);
}
