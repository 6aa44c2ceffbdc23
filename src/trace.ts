// Go's httptrace.ClientTrace: hooks called as a request moves through the transport. A
// request without a trace pays one null check per event. Hooks run synchronously on the
// transport's path: they must be quick and must not throw (a throwing hook is reported and
// ignored, never allowed to break the connection).

export interface GotConnInfo {
  /** The connection served a request before. */
  reused: boolean;
  /** It came from the idle pool (rather than straight from another finishing request or a dial). */
  wasIdle: boolean;
  /** How long it sat idle, ms (0 unless wasIdle). */
  idleTime: number;
  /** The connection's id, stable for its life (matches stats and the CLI). */
  connId: number;
}

export interface DNSDoneInfo {
  addresses: string[];
  err: Error | null;
}

export interface WroteRequestInfo {
  err: Error | null;
}

export interface ClientTrace {
  /** Before a connection is looked for; hostPort is "host:port". */
  getConn?(hostPort: string): void;
  gotConn?(info: GotConnInfo): void;
  /** After the connection is offered back to the pool; err says why it was not kept. */
  putIdleConn?(err: Error | null): void;
  dnsStart?(info: { host: string }): void;
  dnsDone?(info: DNSDoneInfo): void;
  connectStart?(network: string, addr: string): void;
  connectDone?(network: string, addr: string, err: Error | null): void;
  tlsHandshakeStart?(): void;
  tlsHandshakeDone?(info: { protocol: string | null; alpn: string | null }, err: Error | null): void;
  wroteHeaders?(): void;
  wroteRequest?(info: WroteRequestInfo): void;
  gotFirstResponseByte?(): void;
  got100Continue?(): void;
  got1xxResponse?(code: number, headers: ReadonlyArray<readonly [string, string]>): void;
  wait100Continue?(): void;
}

export type TraceEvent = keyof ClientTrace;

/** Calls one hook, shielding the transport from a hook that throws. */
export function emit<K extends TraceEvent>(
  trace: ClientTrace | null | undefined,
  event: K,
  ...args: Parameters<NonNullable<ClientTrace[K]>>
): void {
  if (trace == null) return;
  const fn = trace[event] as ((...a: unknown[]) => void) | undefined;
  if (fn === undefined) return;
  try {
    fn.apply(trace, args);
  } catch (err) {
    process.emitWarning(`httpool: trace hook ${event} threw: ${String(err)}`, 'HttpoolTraceWarning');
  }
}

/** Both traces' hooks, a's first (Go's compose). */
export function composeTrace(a: ClientTrace | null | undefined, b: ClientTrace | null | undefined): ClientTrace | null {
  if (a == null) return b ?? null;
  if (b == null) return a;
  const out: Record<string, (...args: unknown[]) => void> = {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<TraceEvent>;
  for (const k of keys) {
    const fa = a[k] as ((...x: unknown[]) => void) | undefined;
    const fb = b[k] as ((...x: unknown[]) => void) | undefined;
    out[k] = (...args: unknown[]) => {
      fa?.apply(a, args);
      fb?.apply(b, args);
    };
  }
  return out as ClientTrace;
}
