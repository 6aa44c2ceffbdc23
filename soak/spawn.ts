// The parent's handle on the faulty server child: fork it, learn its port, ask it what it did
// (records per request id, how connections ended, counters) and stop it, also on failure.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ConnEnd, FromServer, SeenRecord, ServerCounters, ToServer } from './protocol.js';

const START_TIMEOUT_MS = 10_000;
const REPLY_TIMEOUT_MS = 10_000;

export interface Answer {
  records: Map<number, SeenRecord[]>;
  ends: Map<number, ConnEnd>;
}

export interface FaultyServer {
  origin: string;
  query(ids: number[], conns: number[]): Promise<Answer>;
  counters(): Promise<ServerCounters>;
  /** Lets the server drop records of requests the client has finished judging. */
  forget(below: number): void;
  stop(): Promise<void>;
}

export async function startFaultyServer(seed: number): Promise<FaultyServer> {
  const script = fileURLToPath(new URL('./server.js', import.meta.url));
  const child = fork(script, [String(seed)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const replies = new Map<number, (m: FromServer) => void>();
  let nextQid = 1;
  child.on('message', (raw: unknown) => {
    const m = raw as FromServer;
    if (m.type === 'answer' || m.type === 'counters') {
      const r = replies.get(m.qid);
      replies.delete(m.qid);
      r?.(m);
    }
  });
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await exit;
    clearTimeout(timer);
  };
  const ask = (msg: ToServer & { qid: number }): Promise<FromServer> =>
    new Promise((resolve, reject) => {
      if (exited) {
        reject(new Error('soak server exited'));
        return;
      }
      const timer = setTimeout(() => {
        replies.delete(msg.qid);
        reject(new Error(`soak server: no reply to ${msg.type} within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      replies.set(msg.qid, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      child.send(msg);
    });
  try {
    const port = await waitListening(child, START_TIMEOUT_MS);
    return {
      origin: `http://127.0.0.1:${port}`,
      async query(ids, conns) {
        const m = await ask({ type: 'query', qid: nextQid++, ids, conns });
        if (m.type !== 'answer') throw new Error('soak server: wrong reply');
        return {
          records: new Map(Object.entries(m.records).map(([k, v]) => [Number(k), v])),
          ends: new Map(Object.entries(m.ends).map(([k, v]) => [Number(k), v])),
        };
      },
      async counters() {
        const m = await ask({ type: 'counters', qid: nextQid++ });
        if (m.type !== 'counters') throw new Error('soak server: wrong reply');
        return m.counters;
      },
      forget(below) {
        if (!exited) child.send({ type: 'forget', below } satisfies ToServer);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function waitListening(child: ChildProcess, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`soak server: not listening within ${ms} ms`)), ms);
    const onMessage = (raw: unknown): void => {
      const m = raw as FromServer;
      if (m.type === 'listening') done(null, m.port);
    };
    const onExit = (code: number | null): void => done(new Error(`soak server exited early (code ${code})`));
    function done(err: Error | null, port = 0): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err !== null) reject(err);
      else resolve(port);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
