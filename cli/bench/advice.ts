// Advice from a bench run: the pool's close reasons and counters, read the way the seed
// reports had to read tcpdump and ss, turned into sentences with the numbers and the knob to
// turn. A pure function of what the run saw, so each rule is unit-tested without sockets.
//
// A rule speaks only when its signal is significant (at least 1% of the host's requests, or any
// at all when a configured cap is below the concurrency seen and so explains it), so a healthy
// run, where connections are opened once and reused, gets no advice at all.

import type { CloseReason, HostStats } from '../../src/index.js';
import { hostLabel, int, ms, pct } from './numbers.js';

/** The Transport options the rules read, resolved (defaults filled in). */
export interface PoolSettings {
  maxIdleConns: number;
  maxIdleConnsPerHost: number;
  maxConnsPerHost: number;
  idleConnTimeout: number;
  disableKeepAlives: boolean;
  maxDrainBytes: number;
  drainTimeout: number;
}

/** What the run saw for one pool key ("http://127.0.0.1:8080"). */
export interface HostObservation {
  /** transport.stats().hosts[key] when the load ended (before the bench closed its transport). */
  stats: HostStats;
  /** Most requests in flight to this host at once. */
  peakConcurrency: number;
  /** Most requests queued for a connection at once (sampled stats.waiting). */
  peakWaiting: number;
  /** Total ms requests spent between asking for a connection and getting one (dials included). */
  connWaitMs: number;
}

export interface AdviceInput {
  options: PoolSettings;
  hosts: Record<string, HostObservation>;
  /** Callers the bench ran (-c). */
  concurrency: number;
  durationMs: number;
  /** Failed requests by error code. */
  errors: Record<string, number>;
}

/** At least 1% of the host's requests (and at least one): below that a close is noise. */
function significant(n: number, requests: number): boolean {
  return n > 0 && n >= requests * 0.01;
}

function closed(s: HostStats, reason: CloseReason): number {
  return s.closed[reason] ?? 0;
}

/** "1,950 new connections a second" from a count and the run's length. */
function perSecond(n: number, durationMs: number): string {
  return durationMs > 0 ? `${int((n * 1000) / durationMs)} new connections a second` : `${int(n)} new connections`;
}

/** Every rule, in the order a reader should act on them; [] means the pool was healthy. */
export function advise(input: AdviceInput): string[] {
  const out: string[] = [];
  const o = input.options;
  const keys = Object.keys(input.hosts).sort();
  const totalPeak = keys.reduce((sum, k) => sum + input.hosts[k]!.peakConcurrency, 0);
  let globalIdleFull = 0;
  let perHostNamed = false;

  for (const key of keys) {
    const h = input.hosts[key]!;
    const s = h.stats;
    const host = hostLabel(key);
    const peak = h.peakConcurrency;
    const before = out.length;

    // Seed 002 (b): more connections busy at once than the idle pool may keep, so each one
    // returned beyond the cap is closed, and the next rise in load dials it again. When a cap
    // is below the concurrency seen, any such close is the cap's doing, not noise.
    const idleFull = closed(s, 'idle-pool-full');
    const dialed = `${int(s.opened)} connections were opened for ${int(s.requests)} requests`;
    if (idleFull > 0 && o.maxIdleConnsPerHost < peak) {
      perHostNamed = true;
      out.push(
        `${int(idleFull)} connections closed because the idle pool for ${host} was full (maxIdleConnsPerHost=${int(o.maxIdleConnsPerHost)}) while ${int(peak)} requests ran at once, and ${dialed}: set it to at least ${int(peak)}.`,
      );
    } else if (idleFull > 0 && o.maxIdleConns > 0 && o.maxIdleConns < totalPeak) {
      globalIdleFull += idleFull;
    } else if (significant(idleFull, s.requests)) {
      // Neither cap is below the concurrency seen: the extra connections came from dials
      // that lost the race to a connection coming back, and had nowhere to go.
      out.push(
        `${int(idleFull)} connections closed because the idle pool for ${host} was full (maxIdleConnsPerHost=${int(o.maxIdleConnsPerHost)}) although at most ${int(peak)} requests ran at once: more connections were dialed than were ever busy together (${dialed}); set maxIdleConnsPerHost a little above ${int(peak)} to keep them.`,
      );
    }

    // maxConnsPerHost below the concurrency: a deliberate cap or a bottleneck; show the cost.
    // Little's law turns the total wait into how many requests were waiting on average.
    const meanWaiting = input.durationMs > 0 ? h.connWaitMs / input.durationMs : 0;
    const meanWait = s.requests > 0 ? h.connWaitMs / s.requests : 0;
    if (o.maxConnsPerHost > 0 && o.maxConnsPerHost < peak && meanWaiting >= Math.max(1, peak * 0.1)) {
      out.push(
        `Requests to ${host} waited ${ms(meanWait)} ms on average for a connection (up to ${int(h.peakWaiting)} waiting at once, ${meanWaiting.toFixed(1)} on average) because maxConnsPerHost=${int(o.maxConnsPerHost)} is below the ${int(peak)} requests that ran at once: raise it to ${int(peak)} if the server can take that many connections, or keep the cap and expect the wait.`,
      );
    }

    // Seed 003: the server closes idle connections before the client stops reusing them.
    const serverClosed = closed(s, 'server-closed');
    const serverLimit = closed(s, 'server-idle-limit');
    if (significant(serverClosed + serverLimit, s.requests)) {
      const keep = o.idleConnTimeout > 0 ? `idleConnTimeout=${int(o.idleConnTimeout)} ms` : 'idleConnTimeout=0 (keep until the server closes)';
      const parts = [
        serverClosed > 0 ? `${int(serverClosed)} closed by the server while idle (server-closed)` : '',
        serverLimit > 0 ? `${int(serverLimit)} retired just before its idle limit (server-idle-limit)` : '',
      ].filter((x) => x !== '');
      out.push(
        `${int(serverClosed + serverLimit)} connections to ${host} ended on the server's idle schedule, not the client's (${parts.join(', ')}): the server's idle timeout is shorter than ${keep}; set idleConnTimeout below the server's keep-alive timeout.`,
      );
    }

    const idleTimeout = closed(s, 'idle-timeout');
    if (significant(idleTimeout, s.requests)) {
      out.push(
        `${int(idleTimeout)} connections to ${host} sat idle longer than idleConnTimeout=${int(o.idleConnTimeout)} ms and were closed, then dialed again: raise idleConnTimeout if gaps that long are normal traffic.`,
      );
    }

    if (o.disableKeepAlives || significant(closed(s, 'keepalives-disabled'), s.requests)) {
      out.push(
        `disableKeepAlives is on, so every one of the ${int(s.requests)} requests to ${host} dialed its own connection (${int(s.opened)} opened, ${perSecond(s.opened, input.durationMs)}): turn it off to reuse connections.`,
      );
    }

    const connClose = closed(s, 'connection-close');
    if (significant(connClose, s.requests)) {
      out.push(
        `${int(connClose)} of ${int(s.requests)} responses from ${host} ended their connection (Connection: close, or a body without a length): the server refuses keep-alive, so ${int(s.opened)} connections were dialed; enable keep-alive on the server or whatever proxy is in between.`,
      );
    }

    const notDrained = closed(s, 'body-not-drained');
    if (significant(notDrained, s.requests)) {
      out.push(
        `${int(notDrained)} connections to ${host} closed because a body was closed with more than maxDrainBytes=${int(o.maxDrainBytes)} bytes (or ${int(o.drainTimeout)} ms of drainTimeout) still to come: read bodies to the end, or raise maxDrainBytes if closing large bodies early is intended.`,
      );
    }

    // Anything else that keeps reuse low (errors, timeouts, protocol trouble): say how low and
    // point at the reasons, since no specific rule above explains it.
    const reuse = s.requests > 0 ? s.reused / s.requests : 1;
    if (out.length === before && s.requests >= 2 * Math.max(peak, 1) && reuse < 0.5 && s.opened > 2 * Math.max(peak, 1)) {
      const reasons = Object.entries(s.closed)
        .filter(([, n]) => (n ?? 0) > 0)
        .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
        .map(([r, n]) => `${r} ${int(n ?? 0)}`);
      const failed = Object.entries(input.errors).map(([code, n]) => `${code} ×${int(n)}`);
      out.push(
        `Only ${pct(reuse)} of ${int(s.requests)} requests to ${host} reused a connection: ${int(s.opened)} connections were opened for at most ${int(peak)} requests at once (closed: ${reasons.length > 0 ? reasons.join(', ') : 'none recorded'}${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''}).`,
      );
    }
  }

  if (globalIdleFull > 0 || (perHostNamed && o.maxIdleConns > 0 && o.maxIdleConns < totalPeak)) {
    const fix = `set maxIdleConns to at least ${int(totalPeak)}, or 0 for no limit`;
    out.push(
      globalIdleFull > 0
        ? `${int(globalIdleFull)} connections closed because the idle pool across all hosts was full (maxIdleConns=${int(o.maxIdleConns)}) while ${int(totalPeak)} requests ran at once: ${fix}.`
        : `maxIdleConns=${int(o.maxIdleConns)} is below the ${int(totalPeak)} requests that ran at once too, so once maxIdleConnsPerHost is raised the idle pool across all hosts will close connections instead: ${fix}.`,
    );
  }
  return out;
}
