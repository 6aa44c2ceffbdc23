// The connection pool: idle lists, per-host counts, waiters and the idle sweep. It is Go's
// Transport bookkeeping (idleConn, idleLRU, idleConnWait, connsPerHost, connsPerHostWait)
// and knows nothing of sockets: connections are Poolable values and time is a number the
// caller passes, so it is unit-tested with fakes and a literal clock. The transport above
// supplies the dialer; conn.ts below implements Poolable over a socket.

import { TransportClosedError, type HttpoolError } from '../errors.js';
import type { CloseReason, HostStats } from '../stats.js';
import { emptyStats } from '../stats.js';
import { HostLimits } from './idle-limit.js';
import { RetiredHosts } from './host-retention.js';
import { Waiter } from './waiter.js';
import type { Cancel } from '../cancel.js';
import { HostWindow } from '../advice/host-window.js';

/** What the pool needs of a connection. */
export interface Poolable {
  readonly id: number;
  readonly key: string;
  /** False once closed or once the peer is known to have gone. */
  isOpen(): boolean;
  /** Closes the connection; it must call Pool.closed(conn, reason) exactly once. */
  close(reason: CloseReason): void;
  /** `Keep-Alive: timeout=` from the last response, ms, or -1. */
  readonly keepAliveTimeoutMs: number;
  /** Requests served so far; > 0 means a reuse. */
  readonly uses: number;
  /** Called as the connection enters and leaves the idle list (unref/ref its socket, watch for FIN). */
  setIdle(idle: boolean): void;
  // Pool-owned bookkeeping.
  poolState: 'active' | 'idle' | 'closed';
  idleSince: number;
  idleDeadline: number;
  idleDeadlineReason: CloseReason;
  /**
   * HTTP/2: one connection serves many requests at once. The pool keeps it in a shared list
   * for its whole life and hands it out while it has a free stream, reserving one each time.
   */
  readonly multiplexed?: boolean;
  /** Multiplexed only: requests in flight (reserved streams). */
  readonly streams?: number;
  hasCapacity?(): boolean;
  reserveStream?(): void;
}

export interface Acquired<C extends Poolable> {
  conn: C;
  /** The connection came from the idle list or from another request that just finished with it. */
  reused: boolean;
  wasIdle: boolean;
  idleTime: number;
}

export interface PoolLimits {
  maxIdleConns: number;
  maxIdleConnsPerHost: number;
  maxConnsPerHost: number;
  maxHostStats: number;
  idleConnTimeout: number;
  disableKeepAlives: boolean;
  idleSafetyMargin: number;
}

/**
 * Opens a connection for a key; `ctx` is what the acquiring request passed (its trace), `meta`
 * what the first acquire for the key passed (the Transport's PoolKey), both opaque here.
 */
export type Dialer<C extends Poolable> = (key: string, ctx: unknown, meta: unknown) => Promise<C>;
/** A host's entry was dropped (nothing open, dialing or waiting): the owner may drop what it keeps for `meta`. */
export type OnForget = (key: string, meta: unknown) => void;

/** Host entries the pool may hold before it looks for empty ones to drop (then twice the live ones). */
const COMPACT_MIN = 256;
export type Clock = () => number;
export type Scheduler = (delayMs: number, fn: () => void) => { cancel(): void };

/**
 * Who reads the pool's sizing (the Transport's pool-monitor.ts). Told only off the request
 * path: a dial landed, a connection closed as idle-pool-full or body-leaked, a wait for
 * maxConnsPerHost ended. A request served by an idle connection tells it nothing.
 */
export interface PoolWatcher {
  /** Something a rule reads changed for `key`; `inFlight` is its requests running or waiting now. */
  signal(key: string, window: HostWindow, stats: HostStats, inFlight: number, now: number): void;
  /** maxIdleConns closed an idle connection (LRU eviction); `stats` are the pool's, across keys. */
  signalAcross(window: HostWindow, stats: HostStats, now: number): void;
}

class HostPool<C extends Poolable> {
  /** Most recently used last: pop() takes the freshest, as Go does. */
  readonly idle: C[] = [];
  /** Everyone waiting for a connection, FIFO; settled waiters are skipped lazily. */
  readonly waiters: Waiter<Acquired<C>>[] = [];
  /** Waiters not yet allowed to dial because of maxConnsPerHost, FIFO. */
  readonly dialQueue: Waiter<Acquired<C>>[] = [];
  /** Multiplexed connections (HTTP/2 sessions), busy or not. */
  readonly shared: C[] = [];
  /** The last dial for this key gave a multiplexed connection: while one is on its way, wait for it instead of dialing more. */
  multiplexHint = false;
  active = 0;
  dialing = 0;
  stats: HostStats = emptyStats();
  limits = new HostLimits();
  /** The owner's value for this key (acquire's `meta`), handed to the dialer. */
  meta: unknown = null;
  /** What the pool's watcher (pool-monitor.ts) reads: a fixed-size sliding window. */
  readonly window: HostWindow;
  constructor(readonly key: string, now: number) {
    this.window = new HostWindow(now);
  }

  /** Requests running or waiting for a connection (HTTP/1.1; a session's streams are not counted). */
  inFlight(): number {
    return this.active + this.waiters.length;
  }

  /** Connections serving requests and connections idle, an HTTP/2 session counting as active while it has a stream. */
  inUse(): { active: number; idle: number } {
    let busyShared = 0;
    for (const c of this.shared) if ((c.streams ?? 0) > 0) busyShared++;
    return { active: this.active + busyShared, idle: this.idle.length + this.shared.length - busyShared };
  }

  /** Nothing open, dialing or waiting: the entry can go (pool.ts #compact). */
  isEmpty(): boolean {
    return this.total() === 0 && this.waitingCount() === 0 && this.dialQueue.every((w) => w.settled);
  }

  total(): number {
    return this.active + this.idle.length + this.dialing + this.shared.length;
  }

  waitingCount(): number {
    let n = 0;
    for (const w of this.waiters) if (!w.settled) n++;
    return n;
  }
}

export class Pool<C extends Poolable> {
  readonly #hosts = new Map<string, HostPool<C>>();
  /** Every idle connection, least recently used first (Set keeps insertion order). */
  readonly #lru = new Set<C>();
  readonly #limits: PoolLimits;
  readonly #dial: Dialer<C>;
  readonly #now: Clock;
  readonly #schedule: Scheduler;
  readonly #watcher: PoolWatcher | null;
  /** Across every key, for the maxIdleConns advice: connections opened, and closed by LRU eviction. */
  readonly #across: HostStats = emptyStats();
  readonly #acrossWindow: HostWindow;
  #sweepAt = Infinity;
  #sweepTimer: { cancel(): void } | null = null;
  #closed = false;
  /** What is kept of hosts whose entries were dropped (host-retention.ts). */
  readonly #retired: RetiredHosts;
  readonly #onForget: OnForget | null;
  /** #hosts' size at which the next new host first drops the empty entries. */
  #compactAt = COMPACT_MIN;

  constructor(limits: PoolLimits, dial: Dialer<C>, now: Clock, schedule: Scheduler, watcher: PoolWatcher | null = null, onForget: OnForget | null = null) {
    this.#limits = limits;
    this.#dial = dial;
    this.#now = now;
    this.#schedule = schedule;
    this.#retired = new RetiredHosts(limits.maxHostStats);
    this.#onForget = onForget;
    this.#watcher = watcher;
    this.#acrossWindow = new HostWindow(now());
  }

  #host(key: string): HostPool<C> {
    let h = this.#hosts.get(key);
    if (h === undefined) {
      // Amortized: a scan when the map has doubled since the last one, so a host costs O(1)
      // and the entries of hosts with nothing open never outnumber the live ones (plus 256).
      if (this.#hosts.size >= this.#compactAt) this.#compact();
      h = new HostPool<C>(key, this.#now());
      const kept = this.#retired.revive(key);
      if (kept.stats !== undefined) h.stats = kept.stats;
      if (kept.limits !== undefined) h.limits = kept.limits;
      this.#hosts.set(key, h);
    }
    return h;
  }

  /**
   * Drops every host entry with nothing open, dialing or waiting, keeping its counters (bounded,
   * then summed) and learned idle limit in #retired. Entries are dropped only here, never while
   * a caller holds one: a host with a connection, a dial or a waiter is never empty.
   */
  #compact(): void {
    for (const [key, h] of this.#hosts) {
      if (!h.isEmpty()) continue;
      this.#hosts.delete(key);
      this.#retired.retire(key, h.stats, h.limits);
      this.#onForget?.(key, h.meta);
    }
    this.#compactAt = Math.max(COMPACT_MIN, this.#hosts.size * 2);
  }

  /** Counters a caller may bump (requests, reused); the pool keeps the rest. */
  counters(key: string): HostStats {
    return this.#host(key).stats;
  }

  /**
   * A connection for `key`: the freshest live idle one (idle for at most `maxIdleMs`), else the
   * first of a freed connection or a new dial (Go's queueForIdleConn + queueForDial). Settles
   * exactly once; an aborted wait leaves its dial running, and that connection goes idle when
   * it lands.
   */
  acquire(key: string, cancel: Cancel | null = null, dialCtx: unknown = null, meta: unknown = null, maxIdleMs = Infinity): Promise<Acquired<C>> | Acquired<C> {
    if (this.#closed) throw new TransportClosedError('ERR_TRANSPORT_CLOSED', 'transport is closed');
    // An exchange already cancelled (its timeout fired during a redirect, say) starts no dial.
    if (cancel?.reason) throw cancel.reason;
    const host = this.#host(key);
    if (host.meta === null) host.meta = meta;
    const now = this.#now();
    for (const conn of host.shared) {
      if (!conn.hasCapacity!()) continue;
      const wasIdle = conn.streams === 0;
      conn.reserveStream!();
      return { conn, reused: conn.uses > 0, wasIdle, idleTime: wasIdle ? now - conn.idleSince : 0 };
    }
    while (host.idle.length > 0) {
      // `maxIdleMs` (transport.ts: a request that may not be sent twice, or a retry): the freshest
      // is last, so when it has been idle too long, so has every other; dial instead, unless
      // maxConnsPerHost leaves no room (then waiting could outlast the idle connections).
      const freshest = host.idle[host.idle.length - 1]!;
      if (now - freshest.idleSince > maxIdleMs && this.#roomToDial(host)) {
        // Every idle connection is older than this request accepts. The freshest is closed: a
        // client sending only such requests (webhooks a few seconds apart) would otherwise leave
        // one more idle connection behind per request until idleConnTimeout.
        host.idle.pop();
        this.#lru.delete(freshest);
        this.#retire(freshest, 'idle-too-long');
        break;
      }
      const conn = host.idle.pop()!;
      this.#lru.delete(conn);
      if (!conn.isOpen()) {
        this.#retire(conn, 'server-closed');
        continue;
      }
      if (now >= conn.idleDeadline) {
        this.#retire(conn, conn.idleDeadlineReason);
        continue;
      }
      conn.poolState = 'active';
      conn.setIdle(false);
      host.active++;
      return { conn, reused: true, wasIdle: true, idleTime: now - conn.idleSince };
    }
    const waiter = new Waiter<Acquired<C>>(cancel, (w) => this.#forget(host, w));
    waiter.ctx = dialCtx;
    host.waiters.push(waiter);
    // The peak in flight is taken only here, where a request found no idle connection: an idle
    // hit costs nothing, and every rule is about requests that had to dial or wait, which pass
    // here at the height of their burst.
    const window = host.window;
    const inFlight = host.inFlight();
    if (inFlight > window.peak) window.peak = inFlight;
    const max = this.#limits.maxConnsPerHost;
    if (host.multiplexHint && host.dialing > 0) host.dialQueue.push(waiter);
    else if (max === 0 || host.total() < max) this.#startDial(host, waiter);
    else {
      host.dialQueue.push(waiter);
      waiter.queuedAt = now;
      if (host.dialQueue.length > window.peakWaiting) window.peakWaiting = host.dialQueue.length;
    }
    return waiter.promise;
  }

  /** Tells the watcher about `host`, whose window a rule reads has just changed. */
  #signal(host: HostPool<C>, now: number = this.#now()): void {
    this.#watcher?.signal(host.key, host.window, host.stats, host.inFlight(), now);
  }

  /** A waiter queued for maxConnsPerHost got a connection or a dial slot: its wait counts. */
  #waited(host: HostPool<C>, w: Waiter<Acquired<C>>): void {
    if (w.queuedAt < 0) return;
    const now = this.#now();
    host.window.waitMs += now - w.queuedAt;
    w.queuedAt = -1;
    this.#signal(host, now);
  }

  /** The most requests in flight across every key's window (for the maxIdleConns advice). */
  windowPeakTotal(now: number, bucketMs: number): number {
    let n = 0;
    for (const h of this.#hosts.values()) n += h.window.peakAt(now, bucketMs);
    return n;
  }

  #roomToDial(host: HostPool<C>): boolean {
    const max = this.#limits.maxConnsPerHost;
    return max === 0 || host.total() < max;
  }

  #startDial(host: HostPool<C>, waiter: Waiter<Acquired<C>>): void {
    host.dialing++;
    this.#dial(host.key, waiter.ctx, host.meta).then(
      (conn) => {
        host.dialing--;
        host.stats.opened++;
        this.#across.opened++;
        if (conn.multiplexed === true) {
          this.#landShared(host, conn, waiter);
          return;
        }
        if (host.multiplexHint) {
          // The server stopped offering HTTP/2: requests held back for a session may dial now.
          host.multiplexHint = false;
          queueMicrotask(() => this.#dialSlotFreed(host));
        }
        conn.poolState = 'active';
        host.active++;
        if (this.#closed) {
          conn.close('transport-closed');
          return;
        }
        if (waiter.deliver({ conn, reused: false, wasIdle: false, idleTime: 0 })) {
          this.#signal(host);
          return;
        }
        // Late binding: the waiter was served by a freed connection (or gave up) while this
        // dial was in flight. The new connection is still good: park it for the next request.
        this.release(conn);
        this.#signal(host);
      },
      (err: HttpoolError) => {
        host.dialing--;
        waiter.fail(err);
        this.#dialSlotFreed(host);
      },
    );
  }

  #landShared(host: HostPool<C>, conn: C, waiter: Waiter<Acquired<C>>): void {
    host.multiplexHint = true;
    conn.poolState = 'active';
    // A cold burst dials once per request before anyone knows the host speaks HTTP/2. A session
    // whose request was already served elsewhere, while another session still has room, is not
    // needed (Go closes it too): keeping it would hold an idle connection per request of the burst.
    const spare = host.shared.some((c) => c.hasCapacity!());
    host.shared.push(conn);
    if (this.#closed) {
      conn.close('transport-closed');
      return;
    }
    if (waiter.settled && spare && host.waiters.length === 0) {
      conn.close('surplus');
      return;
    }
    if (!waiter.settled) {
      conn.reserveStream!();
      waiter.deliver({ conn, reused: false, wasIdle: false, idleTime: 0 });
    }
    this.#serveShared(host, conn);
    // Whoever it could not take (full, or refused streams) dials as usual.
    this.#dialSlotFreed(host);
  }

  /** Hands free streams of a multiplexed connection to waiting requests, first come first served. */
  #serveShared(host: HostPool<C>, conn: C): void {
    while (host.waiters.length > 0 && conn.hasCapacity!()) {
      const w = host.waiters.shift()!;
      removeItem(host.dialQueue, w);
      if (w.settled) continue;
      conn.reserveStream!();
      w.deliver({ conn, reused: conn.uses > 0, wasIdle: false, idleTime: 0 });
    }
  }

  /** A waiter gave up (abort) or was settled: drop it from the queues. */
  #forget(host: HostPool<C>, w: Waiter<Acquired<C>>): void {
    removeItem(host.waiters, w);
    removeItem(host.dialQueue, w);
  }

  /** maxConnsPerHost has room again: let the next queued waiter dial. */
  #dialSlotFreed(host: HostPool<C>): void {
    const max = this.#limits.maxConnsPerHost;
    while (host.dialQueue.length > 0 && (max === 0 || host.total() < max)) {
      // Held back for a session on its way: keep waiting for it.
      if (host.multiplexHint && host.dialing > 0) return;
      const w = host.dialQueue.shift()!;
      if (w.settled) continue;
      this.#waited(host, w);
      this.#startDial(host, w);
    }
  }

  /**
   * The connection finished a request and may be reused (Go's tryPutIdleConn). It goes to the
   * first waiter, else to the idle list, else it is closed with the reason. Returns the reason
   * it was not kept, or null.
   */
  release(conn: C): CloseReason | null {
    const host = this.#host(conn.key);
    if (conn.multiplexed === true) {
      // A stream ended (or the session gained room): the first waiters get it.
      if (!this.#closed && conn.poolState === 'active') this.#serveShared(host, conn);
      return null;
    }
    if (conn.poolState !== 'active') throw new Error(`httpool: release of a ${conn.poolState} connection #${conn.id}`);
    if (this.#closed) {
      conn.close('transport-closed');
      return 'transport-closed';
    }
    if (this.#limits.disableKeepAlives) {
      conn.close('keepalives-disabled');
      return 'keepalives-disabled';
    }
    if (!conn.isOpen()) {
      conn.close('server-closed');
      return 'server-closed';
    }
    while (host.waiters.length > 0) {
      const w = host.waiters.shift()!;
      removeItem(host.dialQueue, w);
      if (w.deliver({ conn, reused: true, wasIdle: false, idleTime: 0 })) {
        this.#waited(host, w);
        return null;
      }
    }
    if (host.idle.length >= this.#limits.maxIdleConnsPerHost) {
      conn.close('idle-pool-full');
      this.#signal(host);
      return 'idle-pool-full';
    }
    const now = this.#now();
    const { deadline, reason } = this.#idleDeadline(host, conn, now);
    if (deadline <= now) {
      conn.close(reason);
      return reason;
    }
    host.active--;
    conn.poolState = 'idle';
    conn.idleSince = now;
    conn.idleDeadline = deadline;
    conn.idleDeadlineReason = reason;
    host.idle.push(conn);
    this.#lru.add(conn);
    conn.setIdle(true);
    const maxAll = this.#limits.maxIdleConns;
    if (maxAll > 0 && this.#lru.size > maxAll) {
      const oldest = this.#lru.values().next().value as C;
      oldest.close('idle-pool-full');
      // Counted for its key too, so that key's rules can tell this close from its own cap's.
      this.#host(oldest.key).window.idleFullGlobal++;
      this.#across.closed['idle-pool-full'] = (this.#across.closed['idle-pool-full'] ?? 0) + 1;
      this.#watcher?.signalAcross(this.#acrossWindow, this.#across, now);
      if (oldest === conn) return 'idle-pool-full';
    }
    if (deadline < this.#sweepAt) this.#armSweep(deadline, now);
    return null;
  }

  #idleDeadline(host: HostPool<C>, conn: C, now: number): { deadline: number; reason: CloseReason } {
    const t = this.#limits.idleConnTimeout;
    let deadline = t > 0 ? now + t : Infinity;
    let reason: CloseReason = 'idle-timeout';
    const serverLimit = host.limits.limitFor(conn.keepAliveTimeoutMs, now);
    if (serverLimit > 0) {
      const margin = Math.min(this.#limits.idleSafetyMargin, serverLimit / 10);
      const d = now + serverLimit - margin;
      if (d < deadline) {
        deadline = d;
        reason = 'server-idle-limit';
      }
    }
    return { deadline, reason };
  }

  /**
   * Every connection close lands here exactly once (conn.close calls it): counts the reason,
   * frees the slot, and lets a queued waiter dial.
   */
  closed(conn: C, reason: CloseReason): void {
    const host = this.#host(conn.key);
    const state = conn.poolState;
    if (state === 'closed') throw new Error(`httpool: connection #${conn.id} closed twice`);
    conn.poolState = 'closed';
    host.stats.closed[reason] = (host.stats.closed[reason] ?? 0) + 1;
    if (conn.multiplexed === true) {
      removeItem(host.shared, conn);
    } else if (state === 'idle') {
      removeItem(host.idle, conn);
      this.#lru.delete(conn);
      if (reason === 'server-closed') {
        host.limits.observeServerClose(this.#now() - conn.idleSince, this.#now(), olderIdleAlive(host.idle, conn));
      }
    } else {
      host.active--;
    }
    if (host.active < 0) throw new Error(`httpool: active count for ${host.key} went negative`);
    if (reason === 'body-leaked') this.#signal(host);
    this.#dialSlotFreed(host);
  }

  #retire(conn: C, reason: CloseReason): void {
    // Already out of the idle list; close() reports back through closed().
    conn.poolState = 'idle';
    conn.close(reason);
  }

  #armSweep(at: number, now: number): void {
    this.#sweepTimer?.cancel();
    this.#sweepAt = at;
    this.#sweepTimer = this.#schedule(Math.max(0, at - now), () => {
      this.#sweepTimer = null;
      this.#sweepAt = Infinity;
      const next = this.sweep(this.#now());
      if (next !== Infinity) this.#armSweep(next, this.#now());
    });
  }

  /** Closes idle connections past their deadline; returns the next deadline (OkHttp's cleanup). */
  sweep(now: number): number {
    let next = Infinity;
    for (const conn of [...this.#lru]) {
      if (now >= conn.idleDeadline) conn.close(conn.idleDeadlineReason);
      else if (!conn.isOpen()) conn.close('server-closed');
      else if (conn.idleDeadline < next) next = conn.idleDeadline;
    }
    return next;
  }

  closeIdle(reason: CloseReason = 'idle-closed'): void {
    for (const conn of [...this.#lru]) conn.close(reason);
    for (const host of this.#hosts.values()) {
      for (const conn of [...host.shared]) if (conn.streams === 0 || reason === 'transport-closed') conn.close(reason);
    }
    this.#compact();
  }

  /** Closes the pool: idle connections close, waiters fail, later acquires fail. */
  close(): void {
    this.#closed = true;
    this.#sweepTimer?.cancel();
    this.#sweepTimer = null;
    this.closeIdle('transport-closed');
    for (const host of this.#hosts.values()) {
      for (const w of [...host.waiters]) {
        w.fail(new TransportClosedError('ERR_TRANSPORT_CLOSED', 'transport closed while the request waited for a connection'));
      }
      host.waiters.length = 0;
      host.dialQueue.length = 0;
    }
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Per host: those with an entry, then those retired and still listed (nothing open). */
  snapshot(): Record<string, HostStats> {
    const out: Record<string, HostStats> = {};
    for (const [key, s] of this.#retired.recent()) out[key] = { ...s, closed: { ...s.closed }, active: 0, idle: 0, dialing: 0, waiting: 0 };
    for (const [key, h] of this.#hosts) {
      const { active, idle } = h.inUse();
      out[key] = {
        ...h.stats,
        closed: { ...h.stats.closed },
        active,
        idle,
        dialing: h.dialing,
        waiting: h.waitingCount(),
      };
    }
    return out;
  }

  /** The summed counters of hosts stats() no longer lists (maxHostStats), and how many hosts they are. */
  unlisted(): { hosts: number; stats: HostStats } {
    const s = this.#retired.unlisted;
    return { hosts: this.#retired.unlistedHosts, stats: { ...s, closed: { ...s.closed } } };
  }

  /** Each host entry's owner value (acquire's meta) with its active and idle counts, for gauges. */
  *open(): IterableIterator<{ meta: unknown; active: number; idle: number }> {
    for (const h of this.#hosts.values()) yield { meta: h.meta, ...h.inUse() };
  }

  /** The owner value of a key with an entry (a key with a connection always has one). */
  metaOf(key: string): unknown {
    return this.#hosts.get(key)?.meta ?? null;
  }

  /** Host entries held now (tests: the entries of hosts with nothing open are dropped). */
  get hostEntries(): number {
    return this.#hosts.size;
  }

  /** Idle connections for a key, freshest last (tests and diagnostics). */
  idleOf(key: string): readonly C[] {
    return this.#hosts.get(key)?.idle ?? [];
  }
}

function removeItem<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

/** Is a connection that has been idle longer than `conn` still open? Then `conn`'s close was not the server's idle timeout. */
function olderIdleAlive<C extends Poolable>(idle: readonly C[], conn: C): boolean {
  for (const other of idle) if (other.idleSince < conn.idleSince && other.isOpen()) return true;
  return false;
}
