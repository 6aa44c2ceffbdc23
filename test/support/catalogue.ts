// The frame every fault-catalogue case runs in: a fresh fault server and Transport, the case
// itself, then both closed and the process checked for leftover descriptors, sockets and
// timers. `expectDiscarded` is the common ending: the request failed with a stable code and
// its connection closed for the stated reason, so nothing is left in the pool to reuse.

import assert from 'node:assert/strict';
import { Client, Transport, type CloseReason, type TransportOptions } from '../../src/index.js';
import { assertReleased, resources } from './clean.js';
import { code } from './clients.js';
import { faultServer, type FaultServer, type Script } from './faults.js';

export interface CaseContext {
  server: FaultServer;
  transport: Transport;
  client: Client;
}

export async function hostile(
  script: Script,
  opts: TransportOptions,
  fn: (c: CaseContext) => Promise<void>,
): Promise<void> {
  const before = resources();
  const server = await faultServer(script);
  const transport = new Transport(opts);
  const client = new Client({ transport });
  try {
    await fn({ server, transport, client });
  } finally {
    await transport.close();
    await server.close();
  }
  await assertReleased(before);
}

/**
 * `call` rejects with `errCode`; afterwards no connection is active or idle and exactly one
 * closed, for `reason`.
 */
export async function expectDiscarded(
  c: CaseContext,
  call: () => Promise<unknown>,
  errCode: string,
  reason: CloseReason,
): Promise<void> {
  await assert.rejects(call, code(errCode));
  const s = c.transport.stats().totals;
  assert.equal(s.idle, 0, 'no connection left idle');
  assert.equal(s.active, 0, 'no connection left active');
  assert.deepEqual(s.closed, { [reason]: 1 }, 'close reasons');
}
