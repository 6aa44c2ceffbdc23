// The pool advice rules: the pool's close reasons and counters, read the way the seed reports
// had to read tcpdump and ss, turned into sentences with the numbers and the option to set. A
// pure function of observations, so each rule is unit-tested without sockets. `httpool bench`
// feeds it a whole run; a Transport feeds it its sliding window (pool-monitor.ts) and decides
// with gate.ts which findings are worth a process warning.
//
// A rule speaks only when its signal is significant (at least 1% of the host's requests, or any
// at all when a configured cap is below the concurrency seen and so explains it), so a healthy
// run, where connections are opened once and reused, gets no advice at all.

import type { CloseReason, HostStats } from '../stats.js';
import { hostLabel, int, ms, pct } from './format.js';
import type { AdviceInput, HostObservation, PoolAdvice, PoolAdviceCode, PoolAdviceOption, PoolSettings } from './types.js';

/** At least 1% of the host's requests (and at least one): below that a close is noise. */
function significant(n: number, requests: number): boolean {
  return n > 0 && n >= requests * 0.01;
}

function closed(s: HostStats, reason: CloseReason): number {
  return s.closed[reason] ?? 0;
}

/** "1,950 new connections a second" from a count and the span's length. */
function perSecond(n: number, durationMs: number): string {
  return durationMs > 0 ? `${int((n * 1000) / durationMs)} new connections a second` : `${int(n)} new connections`;
}

/** The figures every finding carries, plus its own. */
function figures(h: HostObservation, spanMs: number, own: Record<string, number> = {}): Record<string, number> {
  const s = h.stats;
  return { spanMs: Math.round(spanMs), requests: s.requests, reused: s.reused, opened: s.opened, peakConcurrency: h.peakConcurrency, ...own };
}

interface HostContext {
  key: string;
  host: string;
  h: HostObservation;
  o: PoolSettings;
  durationMs: number;
}

function finding(
  c: HostContext,
  code: PoolAdviceCode,
  option: PoolAdviceOption | null,
  suggested: number | boolean | null,
  message: string,
  own: Record<string, number> = {},
): PoolAdvice {
  return { code, host: c.key, message, option, suggested, figures: figures(c.h, c.durationMs, own) };
}

/**
 * Seed 002 (b): more connections busy at once than the idle pool may keep, so each one returned
 * beyond the cap is closed, and the next rise in load dials it again. When a cap is below the
 * concurrency seen, any such close is the cap's doing, not noise. Returns 'global' when the
 * cap across hosts is the one to blame (said once for all hosts by globalChurn).
 */
function churn(c: HostContext, totalPeak: number): PoolAdvice | 'global' | null {
  const { h, o, host } = c;
  const s = h.stats;
  const peak = h.peakConcurrency;
  const idleFull = closed(s, 'idle-pool-full');
  const dialed = `${int(s.opened)} connections were opened for ${int(s.requests)} requests`;
  const own = { idlePoolFull: idleFull };
  if (idleFull > 0 && o.maxIdleConnsPerHost < peak) {
    return finding(
      c, 'HTTPOOL_POOL_CHURN', 'maxIdleConnsPerHost', peak,
      `${int(idleFull)} connections closed because the idle pool for ${host} was full (maxIdleConnsPerHost=${int(o.maxIdleConnsPerHost)}) while ${int(peak)} requests ran at once, and ${dialed}: set it to at least ${int(peak)}.`,
      own,
    );
  }
  if (idleFull > 0 && o.maxIdleConns > 0 && o.maxIdleConns < totalPeak) return 'global';
  if (significant(idleFull, s.requests)) {
    // Neither cap is below the concurrency seen: the extra connections came from dials that
    // lost the race to a connection coming back, and had nowhere to go.
    return finding(
      c, 'HTTPOOL_POOL_CHURN', 'maxIdleConnsPerHost', peak + Math.max(1, Math.ceil(peak / 10)),
      `${int(idleFull)} connections closed because the idle pool for ${host} was full (maxIdleConnsPerHost=${int(o.maxIdleConnsPerHost)}) although at most ${int(peak)} requests ran at once: more connections were dialed than were ever busy together (${dialed}); set maxIdleConnsPerHost a little above ${int(peak)} to keep them.`,
      own,
    );
  }
  return null;
}

/**
 * maxConnsPerHost below the concurrency: a deliberate cap or a bottleneck; show the cost.
 * Little's law turns the total wait into how many requests were waiting on average.
 */
function wait(c: HostContext): PoolAdvice | null {
  const { h, o, host, durationMs } = c;
  const peak = h.peakConcurrency;
  const meanWaiting = durationMs > 0 ? h.connWaitMs / durationMs : 0;
  const meanWait = h.stats.requests > 0 ? h.connWaitMs / h.stats.requests : 0;
  if (!(o.maxConnsPerHost > 0 && o.maxConnsPerHost < peak && meanWaiting >= Math.max(1, peak * 0.1))) return null;
  return finding(
    c, 'HTTPOOL_POOL_WAIT', 'maxConnsPerHost', peak,
    `Requests to ${host} waited ${ms(meanWait)} ms on average for a connection (up to ${int(h.peakWaiting)} waiting at once, ${meanWaiting.toFixed(1)} on average) because maxConnsPerHost=${int(o.maxConnsPerHost)} is below the ${int(peak)} requests that ran at once: raise it to ${int(peak)} if the server can take that many connections, or keep the cap and expect the wait.`,
    { peakWaiting: h.peakWaiting, waitMs: Math.round(h.connWaitMs) },
  );
}

/** Seed 003: the server closes idle connections before the client stops reusing them. */
function serverIdle(c: HostContext): PoolAdvice | null {
  const { h, o, host } = c;
  const serverClosed = closed(h.stats, 'server-closed');
  const serverLimit = closed(h.stats, 'server-idle-limit');
  if (!significant(serverClosed + serverLimit, h.stats.requests)) return null;
  const keep = o.idleConnTimeout > 0 ? `idleConnTimeout=${int(o.idleConnTimeout)} ms` : 'idleConnTimeout=0 (keep until the server closes)';
  const parts = [
    serverClosed > 0 ? `${int(serverClosed)} closed by the server while idle (server-closed)` : '',
    serverLimit > 0 ? `${int(serverLimit)} retired just before its idle limit (server-idle-limit)` : '',
  ].filter((x) => x !== '');
  return finding(
    c, 'HTTPOOL_POOL_LOW_REUSE', 'idleConnTimeout', null,
    `${int(serverClosed + serverLimit)} connections to ${host} ended on the server's idle schedule, not the client's (${parts.join(', ')}): the server's idle timeout is shorter than ${keep}; set idleConnTimeout below the server's keep-alive timeout.`,
    { serverClosed, serverIdleLimit: serverLimit },
  );
}

function idleTimeout(c: HostContext): PoolAdvice | null {
  const { h, o, host } = c;
  const n = closed(h.stats, 'idle-timeout');
  if (!significant(n, h.stats.requests)) return null;
  return finding(
    c, 'HTTPOOL_POOL_LOW_REUSE', 'idleConnTimeout', null,
    `${int(n)} connections to ${host} sat idle longer than idleConnTimeout=${int(o.idleConnTimeout)} ms and were closed, then dialed again: raise idleConnTimeout if gaps that long are normal traffic.`,
    { idleTimeout: n },
  );
}

function keepAlivesOff(c: HostContext): PoolAdvice | null {
  const { h, o, host, durationMs } = c;
  const s = h.stats;
  if (!(o.disableKeepAlives || significant(closed(s, 'keepalives-disabled'), s.requests))) return null;
  return finding(
    c, 'HTTPOOL_POOL_LOW_REUSE', 'disableKeepAlives', false,
    `disableKeepAlives is on, so every one of the ${int(s.requests)} requests to ${host} dialed its own connection (${int(s.opened)} opened, ${perSecond(s.opened, durationMs)}): turn it off to reuse connections.`,
  );
}

function connectionClose(c: HostContext): PoolAdvice | null {
  const { h, host } = c;
  const s = h.stats;
  const n = closed(s, 'connection-close');
  if (!significant(n, s.requests)) return null;
  return finding(
    c, 'HTTPOOL_POOL_LOW_REUSE', null, null,
    `${int(n)} of ${int(s.requests)} responses from ${host} ended their connection (Connection: close, or a body without a length): the server refuses keep-alive, so ${int(s.opened)} connections were dialed; enable keep-alive on the server or whatever proxy is in between.`,
    { connectionClose: n },
  );
}

function notDrained(c: HostContext): PoolAdvice | null {
  const { h, o, host } = c;
  const n = closed(h.stats, 'body-not-drained');
  if (!significant(n, h.stats.requests)) return null;
  return finding(
    c, 'HTTPOOL_POOL_LOW_REUSE', 'maxDrainBytes', null,
    `${int(n)} connections to ${host} closed because a body was closed with more than maxDrainBytes=${int(o.maxDrainBytes)} bytes (or ${int(o.drainTimeout)} ms of drainTimeout) still to come: read bodies to the end, or raise maxDrainBytes if closing large bodies early is intended.`,
    { bodyNotDrained: n },
  );
}

/** Seed 003 again, repeated: the leak warning names the first call site; this says it goes on. */
function leaks(c: HostContext): PoolAdvice | null {
  const { h, host } = c;
  const n = closed(h.stats, 'body-leaked');
  if (!significant(n, h.stats.requests)) return null;
  return finding(
    c, 'HTTPOOL_POOL_LEAKS', null, null,
    `${int(n)} responses from ${host} were garbage-collected with their body neither read nor closed, each holding its connection until then (body-leaked): read every body to the end or call res.body.close(); the HttpoolLeakWarning names where such a request was made.`,
    { leaked: n },
  );
}

/**
 * Anything else that keeps reuse low (errors, timeouts, protocol trouble): say how low and point
 * at the reasons, since no specific rule explains it.
 */
function lowReuse(c: HostContext, errors: Record<string, number>): PoolAdvice | null {
  const { h, host } = c;
  const s = h.stats;
  const peak = Math.max(h.peakConcurrency, 1);
  const reuse = s.requests > 0 ? s.reused / s.requests : 1;
  if (!(s.requests >= 2 * peak && reuse < 0.5 && s.opened > 2 * peak)) return null;
  const reasons = Object.entries(s.closed)
    .filter(([, n]) => (n ?? 0) > 0)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([r, n]) => `${r} ${int(n ?? 0)}`);
  const failed = Object.entries(errors).map(([code, n]) => `${code} ×${int(n)}`);
  return finding(
    c, 'HTTPOOL_POOL_LOW_REUSE', null, null,
    `Only ${pct(reuse)} of ${int(s.requests)} requests to ${host} reused a connection: ${int(s.opened)} connections were opened for at most ${int(h.peakConcurrency)} requests at once (closed: ${reasons.length > 0 ? reasons.join(', ') : 'none recorded'}${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''}).`,
  );
}

/**
 * The idle cap across hosts is below the concurrency across hosts: said once, after the hosts
 * (host '*'). A Transport asks it over its pool-wide window, `idleFull` being the LRU evictions.
 */
export function idleCapAcrossHosts(o: PoolSettings, idleFull: number, totalPeak: number, perHostNamed: boolean, spanMs: number): PoolAdvice | null {
  if (!(idleFull > 0 || (perHostNamed && o.maxIdleConns > 0 && o.maxIdleConns < totalPeak))) return null;
  const fix = `set maxIdleConns to at least ${int(totalPeak)}, or 0 for no limit`;
  return {
    code: 'HTTPOOL_POOL_CHURN',
    host: '*',
    option: 'maxIdleConns',
    suggested: totalPeak,
    message:
      idleFull > 0
        ? `${int(idleFull)} connections closed because the idle pool across all hosts was full (maxIdleConns=${int(o.maxIdleConns)}) while ${int(totalPeak)} requests ran at once: ${fix}.`
        : `maxIdleConns=${int(o.maxIdleConns)} is below the ${int(totalPeak)} requests that ran at once too, so once maxIdleConnsPerHost is raised the idle pool across all hosts will close connections instead: ${fix}.`,
    figures: { spanMs: Math.round(spanMs), idlePoolFull: idleFull, peakConcurrency: totalPeak },
  };
}

/** Every rule, in the order a reader should act on them; [] means the pool was healthy. */
export function advisePool(input: AdviceInput): PoolAdvice[] {
  const out: PoolAdvice[] = [];
  const o = input.options;
  const keys = Object.keys(input.hosts).sort();
  const totalPeak = input.totalPeak ?? keys.reduce((sum, k) => sum + input.hosts[k]!.peakConcurrency, 0);
  let globalIdleFull = 0;
  let perHostNamed = false;
  for (const key of keys) {
    const c: HostContext = { key, host: hostLabel(key), h: input.hosts[key]!, o, durationMs: input.durationMs };
    const before = out.length;
    const ch = churn(c, totalPeak);
    if (ch === 'global') globalIdleFull += closed(c.h.stats, 'idle-pool-full');
    else if (ch !== null) {
      perHostNamed ||= ch.option === 'maxIdleConnsPerHost' && o.maxIdleConnsPerHost < c.h.peakConcurrency;
      out.push(ch);
    }
    for (const rule of [wait, serverIdle, idleTimeout, keepAlivesOff, connectionClose, notDrained, leaks]) {
      const f = rule(c);
      if (f !== null) out.push(f);
    }
    if (out.length === before) {
      const f = lowReuse(c, input.errors);
      if (f !== null) out.push(f);
    }
  }
  const g = idleCapAcrossHosts(o, globalIdleFull, totalPeak, perHostNamed, input.durationMs);
  if (g !== null) out.push(g);
  return out;
}
