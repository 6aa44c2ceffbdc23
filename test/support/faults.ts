// The fault server: a raw TCP server that follows a small script on each connection, so a
// hostile-server case is a few lines (OkHttp's SocketEffect, hyper's test! cases). Steps run in
// order; a connection whose script ends stays open until the peer or the test closes it.
//
//   faultServer([{ read: 'request' }, { send: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' }, { fin: true }])
//   faultServer((i) => i === 0 ? [...] : [...])      // a script per connection index

import type { Socket } from 'node:net';
import { rawServer, type TestServer } from './servers.js';

export type Step =
  /** Wait until one whole request (head, and a Content-Length or chunked body) has arrived. */
  | { read: 'request' }
  /** Wait until the request head has arrived (the body may still be coming). */
  | { read: 'head' }
  /** Wait until at least this many request bytes in total have arrived on the connection. */
  | { readBytes: number }
  | { send: string | Uint8Array }
  /** Send in pieces of `chunk` bytes, `everyMs` apart (throttle). */
  | { trickle: string | Uint8Array; chunk: number; everyMs: number }
  | { wait: number }
  /** Half-close: FIN, keep reading. */
  | { fin: true }
  /** Abortive close: RST. */
  | { rst: true }
  /** Do nothing more: the connection hangs until the peer or the test closes it. */
  | { stall: true };

export type Script = readonly Step[] | ((connIndex: number) => readonly Step[]);

export interface FaultServer extends TestServer {
  /** Raw bytes received per connection, in connection order. */
  readonly received: Buffer[];
  /** Complete request heads seen, across connections, in order. */
  readonly heads: string[];
}

export async function faultServer(script: Script): Promise<FaultServer> {
  const received: Buffer[] = [];
  const heads: string[] = [];
  const srv = await rawServer((socket, index) => {
    received[index] = Buffer.alloc(0);
    const steps = typeof script === 'function' ? script(index) : script;
    void run(socket, index, steps, received, heads);
  });
  return Object.assign(srv, { received, heads });
}

async function run(socket: Socket, index: number, steps: readonly Step[], received: Buffer[], heads: string[]): Promise<void> {
  let waiter: (() => void) | null = null;
  let closed = false;
  let consumed = 0; // bytes of `received[index]` already matched by read steps
  socket.on('data', (c: Buffer) => {
    received[index] = Buffer.concat([received[index]!, c]);
    waiter?.();
  });
  socket.on('close', () => {
    closed = true;
    waiter?.();
  });
  const until = async (cond: () => boolean): Promise<boolean> => {
    while (!cond()) {
      if (closed) return false;
      await new Promise<void>((r) => (waiter = r));
      waiter = null;
    }
    return true;
  };
  for (const step of steps) {
    if (closed) return;
    if ('read' in step) {
      let end = -1;
      const ok = await until(() => {
        end = requestEnd(received[index]!, consumed, step.read === 'head');
        return end >= 0;
      });
      if (!ok) return;
      const buf = received[index]!;
      const headEnd = buf.indexOf('\r\n\r\n', consumed);
      heads.push(buf.subarray(consumed, headEnd).toString('latin1'));
      consumed = end;
    } else if ('readBytes' in step) {
      if (!(await until(() => received[index]!.length >= step.readBytes))) return;
    } else if ('send' in step) {
      socket.write(step.send);
    } else if ('trickle' in step) {
      const data = typeof step.trickle === 'string' ? Buffer.from(step.trickle, 'latin1') : Buffer.from(step.trickle);
      for (let pos = 0; pos < data.length && !closed; pos += step.chunk) {
        socket.write(data.subarray(pos, pos + step.chunk));
        await new Promise((r) => setTimeout(r, step.everyMs));
      }
    } else if ('wait' in step) {
      await new Promise((r) => setTimeout(r, step.wait));
    } else if ('fin' in step) {
      socket.end();
    } else if ('rst' in step) {
      socket.resetAndDestroy();
      return;
    } else {
      return; // stall
    }
  }
}

/**
 * Where the request that starts at `from` ends (past its body), or -1 while incomplete. With
 * `headOnly`, where its head ends.
 */
function requestEnd(buf: Buffer, from: number, headOnly: boolean): number {
  const headEnd = buf.indexOf('\r\n\r\n', from);
  if (headEnd < 0) return -1;
  const bodyStart = headEnd + 4;
  if (headOnly) return bodyStart;
  const head = buf.subarray(from, headEnd).toString('latin1');
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (cl !== null) {
    const end = bodyStart + Number(cl[1]);
    return buf.length >= end ? end : -1;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const last = buf.indexOf('\r\n0\r\n\r\n', bodyStart - 2);
    return last < 0 ? -1 : last + 7;
  }
  return bodyStart;
}
