// Which of the rules' findings over a window are worth a process warning. The rules speak at
// 1% of requests, right for a bench report someone asked for; a warning nobody asked for must
// never fire on a healthy pool, so each code also needs the sustained figures of tuning.ts.

import type { PoolWatchTuning } from './tuning.js';
import type { HostObservation, PoolAdvice, PoolSettings } from './types.js';

export function worthWarning(a: PoolAdvice, obs: HostObservation, spanMs: number, o: PoolSettings, t: PoolWatchTuning): boolean {
  const s = obs.stats;
  const peak = Math.max(obs.peakConcurrency, 1);
  switch (a.code) {
    case 'HTTPOOL_POOL_CHURN': {
      const idleFull = a.figures['idlePoolFull'] ?? 0;
      const cap = a.option === 'maxIdleConns' ? o.maxIdleConns : o.maxIdleConnsPerHost;
      const surplus = (a.figures['peakConcurrency'] ?? peak) - cap;
      return idleFull >= Math.max(t.churnMinCloses, 2 * surplus) && s.opened >= t.churnMinCloses;
    }
    case 'HTTPOOL_POOL_WAIT':
      return spanMs >= t.waitMinSpanMs;
    case 'HTTPOOL_POOL_LEAKS':
      return (a.figures['leaked'] ?? 0) >= t.leakMin;
    case 'HTTPOOL_POOL_LOW_REUSE': {
      // disableKeepAlives is a choice made in code, not a mis-sizing: the bench says it, a warning would nag.
      if (a.option === 'disableKeepAlives') return false;
      // idle-pool-full closes are churn's to explain, with its own thresholds.
      const idleFull = s.closed['idle-pool-full'] ?? 0;
      return s.opened >= t.lowReuseMinOpened && s.opened > 2 * peak && s.reused < s.requests / 2 && idleFull < s.opened / 2;
    }
    case 'HTTPOOL_TRANSPORT_PER_CALL':
      return true;
  }
}
