// The frame every fault-catalogue case runs in: a fresh fault server and Transport, the case
// itself, then both closed and the process checked for leftover descriptors, sockets and
// timers. `expectDiscarded` is the common ending: the request failed with a stable code and
// its connection closed for the stated reason, so nothing is left in the pool to reuse.

export { within } from './within.js';
import assert from 'node:assert/strict';
import { Client, Transport, type CloseReason, type TransportOptions } from '../../src/index.js';
import { assertReleased, resources } from './clean.js';
import { code } from './clients.js';
import { faultServer, type FaultServer, type Script, type Step } from './faults.js';

export interface CaseContext {
  server: FaultServer;
  transport: Transport;
  client: Client;
}

/**
 * The first socket a Node process opens allocates a descriptor Node keeps for good (lazy
 * initialisation); one ordinary exchange before the first case keeps it out of that case's
 * leak check.
 */
let warmed: Promise<void> | null = null;
export function warmUp(): Promise<void> {
  warmed ??= (async () => {
    const srv = await faultServer([{ read: 'request' }, { send: ok('warm') }, { stall: true }]);
    const tr = new Transport();
    await (await new Client({ transport: tr }).get(srv.url)).body.text();
    await tr.close();
    await srv.close();
    await new Promise((r) => setTimeout(r, 20));
  })();
  return warmed;
}

export async function hostile(
  script: Script,
  opts: TransportOptions,
  fn: (c: CaseContext) => Promise<void>,
): Promise<void> {
  await warmUp();
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

/** A complete Content-Length response. */
export function ok(body: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`;
}

/** A whole response placed where only body bytes (or nothing) belong. */
export const SMUGGLED = ok('EVIL');

/**
 * Connection 0 reads one request and runs `steps`; every later connection answers `c<i>`
 * properly, so a second request shows whether the first connection was reused.
 */
export function first(steps: Step[]) {
  return (i: number): Step[] =>
    i === 0 ? [{ read: 'request' }, ...steps] : [{ read: 'request' }, { send: ok(`c${i}`) }, { stall: true }];
}

/** The connection was kept: a second request went out on it and got its own answer. */
export async function reusedFor(c: CaseContext, expected: string): Promise<void> {
  const again = await c.client.get(c.server.url);
  assert.equal(await again.body.text(), expected);
  assert.equal(c.server.connections, 1, 'the second request reused the connection');
  const s = c.transport.stats().totals;
  assert.equal(s.reused, 1);
  assert.deepEqual(s.closed, {}, 'nothing closed');
}

