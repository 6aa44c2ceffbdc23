// The costliest functions of a V8 CPU profile (--cpu-prof output, the .cpuprofile format Chrome
// DevTools opens), by self time: what `npm run bench -- --profile DIR` prints for httpool's
// processes, so a run names where each shape's time goes without opening a viewer.

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
}

export interface Hot {
  name: string;
  /** Share of the samples in which the process was busy, %. */
  pct: number;
}

/**
 * The `top` functions by self samples, V8's own (garbage collector, program) among them. Idle
 * samples are left out: a client's process waits while the other clients take their turns.
 */
export function hottest(file: string, top = 8): Hot[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const self = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0 || n.callFrame.functionName === '(idle)') continue;
    total += hits;
    const f = n.callFrame;
    const where = f.url === '' ? '' : ` ${f.url.replace(/^.*\/(build|node_modules)\//, '').replace(/^file:\/\//, '')}:${f.lineNumber + 1}`;
    const name = `${f.functionName || '(anonymous)'}${where}`;
    self.set(name, (self.get(name) ?? 0) + hits);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, hits]) => ({ name, pct: total === 0 ? 0 : (hits * 100) / total }));
}
