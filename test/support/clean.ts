// "Leaves nothing behind": a snapshot of this process's file descriptors and active libuv
// resources (sockets, timers, ...) taken before a case, and a check after it that they came
// back. Closing a socket or clearing a timer is asynchronous, so the check polls with a
// deadline instead of sleeping a fixed time; it fails naming what is left over.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';

export interface Resources {
  fds: number;
  /** Count per kind, from process.getActiveResourcesInfo() ('TCPSocketWrap', 'Timeout', ...). */
  kinds: Map<string, number>;
}

export function resources(): Resources {
  const kinds = new Map<string, number>();
  for (const k of process.getActiveResourcesInfo()) kinds.set(k, (kinds.get(k) ?? 0) + 1);
  return { fds: readdirSync('/proc/self/fd').length, kinds };
}

function excess(before: Resources, now: Resources): string[] {
  const out: string[] = [];
  // readdirSync itself holds one descriptor while it lists; both snapshots include it.
  if (now.fds > before.fds) out.push(`${now.fds - before.fds} file descriptor(s)`);
  for (const [kind, n] of now.kinds) {
    const was = before.kinds.get(kind) ?? 0;
    if (n > was) out.push(`${n - was} × ${kind}`);
  }
  return out;
}

/**
 * Waits (up to `withinMs`) until no more descriptors or resources are open than in `before`,
 * and fails with the list of leftovers if that never happens.
 */
export async function assertReleased(before: Resources, withinMs = 2000): Promise<void> {
  const deadline = Date.now() + withinMs;
  let left = excess(before, resources());
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    left = excess(before, resources());
  }
  assert.deepEqual(left, [], `left behind after the case: ${left.join(', ')}`);
}
