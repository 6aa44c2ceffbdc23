// TCP socket states for one port, read from /proc/net/tcp and /proc/net/tcp6 (Linux): the
// same evidence `ss` gave the seed authors, without running a tool. Client and server share
// this machine, so each connection can appear twice: its client end (remote port = the
// server's) and its server end (local port = the server's).

import { readFile } from 'node:fs/promises';

/** Kernel state numbers (include/net/tcp_states.h). */
const ESTABLISHED = '01';
const TIME_WAIT = '06';
const CLOSE_WAIT = '08';
const LISTEN = '0A';

export interface PortSockets {
  /** Client ends still connected. */
  clientEstablished: number;
  /** Either end: the side that received the peer's FIN and has not closed yet. */
  closeWait: number;
  /** Either end: the side that closed first, lingering for 2*MSL. */
  timeWait: number;
}

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

async function readTable(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'latin1');
  } catch {
    return null; // not Linux, or no IPv6: that table simply contributes nothing
  }
}

/** Port of an "ADDRHEX:PORTHEX" field. */
function portOf(field: string): number {
  const colon = field.lastIndexOf(':');
  return colon < 0 ? -1 : Number.parseInt(field.slice(colon + 1), 16);
}

/**
 * Does any socket on the machine use this port at either end? A fresh lab server must not get
 * a port that an earlier row's client socket (say, in TIME_WAIT) used, or the counts below
 * would charge that socket to the new row.
 */
export async function portInUse(port: number): Promise<boolean> {
  const texts = await Promise.all(TABLES.map(readTable));
  for (const text of texts) {
    if (text === null) continue;
    for (const line of text.split('\n').slice(1)) {
      const [, local, remote, state] = line.trim().split(/\s+/);
      if (local === undefined || remote === undefined || state === LISTEN) continue;
      if (portOf(local) === port || portOf(remote) === port) return true;
    }
  }
  return false;
}

/** null when no table could be read (the columns then print as "-"). */
export async function portSockets(port: number): Promise<PortSockets | null> {
  const texts = await Promise.all(TABLES.map(readTable));
  if (texts.every((t) => t === null)) return null;
  const out: PortSockets = { clientEstablished: 0, closeWait: 0, timeWait: 0 };
  for (const text of texts) {
    if (text === null) continue;
    // First line is the column header; the rest are "sl local rem st ...".
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const [, local, remote, state] = f;
      if (local === undefined || remote === undefined || state === undefined || state === LISTEN) continue;
      const localMatch = portOf(local) === port;
      const remoteMatch = portOf(remote) === port;
      if (!localMatch && !remoteMatch) continue;
      if (state === ESTABLISHED && remoteMatch) out.clientEstablished++;
      else if (state === CLOSE_WAIT) out.closeWait++;
      else if (state === TIME_WAIT) out.timeWait++;
    }
  }
  return out;
}
