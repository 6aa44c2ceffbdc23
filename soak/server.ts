// The soak's faulty HTTP/1.1 server, run in a child process (soak/spawn.ts forks it) so the
// client process's descriptors and heap are the client's alone. Raw `net`, so each fault is
// exact: per request it draws (seed, id, attempt) → a Fault, and between requests it may close
// the idle connection after a short random time, sometimes just as the client reuses it.
//
// It remembers what it did to each request id and how each connection ended, and answers the
// parent's queries over IPC: the verifier decides from that whether a client error was deserved.

import net from 'node:net';
import { Rng, SALT, checksum, payload } from './prng.js';
import { bodyWire, readRequest, responseHead, MAX_REQUEST_BYTES, type Framing, type SoakRequest } from './wire.js';
import { H, emptyFaultCounts, type ConnEnd, type Fault, type FromServer, type SeenRecord, type ServerCounters, type ToServer } from './protocol.js';

const seed = Number(process.argv[2] ?? '1');
/** More stalls at once would hold enough of the client's capped pool to time out innocent requests. */
const MAX_ACTIVE_STALLS = 2;
/** Total trickle time stays well inside the client's timeout. */
const SLOW_BUDGET_MS = 600;
const FAULT_WEIGHTS: Readonly<Record<Fault, number>> = {
  normal: 80,
  slow: 3,
  'conn-close': 5,
  'rst-head': 3,
  'rst-body': 4,
  'stall-head': 0.6,
  'stall-body': 0.6,
};

const counters: ServerCounters = { accepted: 0, open: 0, maxOpen: 0, requests: 0, faults: emptyFaultCounts(), stallsDeferred: 0 };
const seen = new Map<number, SeenRecord[]>();
const ends = new Map<number, { end: ConnEnd; at: number }>();
let activeStalls = 0;
let stallsStarted = 0;

function send(msg: FromServer): void {
  process.send?.(msg);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

class ServerConn {
  readonly id: number;
  readonly #socket: net.Socket;
  #buf: Buffer = Buffer.alloc(0);
  #busy = false;
  #gone = false;
  #stalled = false;
  #responses = 0;
  #idleTimer: NodeJS.Timeout | null = null;

  constructor(id: number, socket: net.Socket) {
    this.id = id;
    this.#socket = socket;
    ends.set(id, { end: 'open', at: 0 });
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => this.#onData(c));
    socket.on('end', () => this.#leave('peer'));
    socket.on('error', () => this.#leave('peer'));
    socket.on('close', () => this.#leave('peer'));
  }

  /** Counted once, whoever ended it; the first cause is the one recorded. */
  #leave(end: ConnEnd): void {
    if (this.#gone) return;
    this.#gone = true;
    counters.open--;
    if (this.#stalled) activeStalls--;
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    ends.set(this.id, { end, at: Date.now() });
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#gone) return;
    if (this.#idleTimer !== null) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = null;
    }
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    if (!this.#busy) this.#next();
  }

  #next(): void {
    if (this.#gone || this.#busy) return;
    const r = readRequest(this.#buf);
    if (r === null) {
      if (this.#buf.length > MAX_REQUEST_BYTES) this.#leave('rst');
      return;
    }
    if (r instanceof Error) {
      process.stderr.write(`soak server: ${r.message}\n`);
      this.#leave('rst');
      return;
    }
    this.#buf = this.#buf.subarray(r.used);
    this.#busy = true;
    this.#serve(r.req).then(
      (keep) => {
        this.#busy = false;
        if (!keep || this.#gone) return;
        this.#responses++;
        if (this.#buf.length > 0) this.#next();
        else this.#armIdle();
      },
      (err: unknown) => {
        process.stderr.write(`soak server: ${String(err)}\n`);
        this.#leave('rst');
      },
    );
  }

  /**
   * Go's server and most proxies close keep-alive connections idle for some time; here the
   * time is short and random, and sometimes (0-3 ms) it lands right as the client reuses the
   * connection: the race Go's retry rule exists for. Bytes already arrived mean the
   * connection is active again, so it is never closed under a request it has read.
   */
  #armIdle(): void {
    const rng = new Rng(seed, this.id, SALT.idle, this.#responses);
    const kind = rng.pick({ keep: 50, race: 30, short: 20 });
    if (kind === 'keep') return;
    const ms = kind === 'race' ? rng.int(0, 3) : rng.int(50, 300);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#busy || this.#buf.length > 0 || this.#gone) return;
      counters.faults['idle-close']++;
      this.#leave('idle-close');
    }, ms);
  }

  /** Answers one request with its drawn fault; resolves true when the connection stays usable. */
  async #serve(req: SoakRequest): Promise<boolean> {
    counters.requests++;
    const records = seen.get(req.id) ?? [];
    if (records.length === 0) seen.set(req.id, records);
    const rng = new Rng(seed, req.id, SALT.fault, records.length);
    let fault = rng.pick(FAULT_WEIGHTS);
    const bodyless = req.method === 'HEAD' || req.size < 2;
    if (fault === 'rst-body' && bodyless) fault = 'rst-head';
    if (fault === 'stall-body' && bodyless) fault = 'stall-head';
    if (fault === 'stall-head' || fault === 'stall-body') {
      if (activeStalls >= MAX_ACTIVE_STALLS) {
        counters.stallsDeferred++;
        fault = 'normal';
      } else {
        // Only a handful of stalls fit in a short run: alternate, so both kinds happen.
        fault = stallsStarted++ % 2 === 0 || bodyless ? 'stall-head' : 'stall-body';
      }
    }
    records.push({ conn: this.id, fault });
    counters.faults[fault]++;

    const close = fault === 'conn-close';
    const framing: Framing = rng.pick({ length: 3, chunked: 2, 'close-delimited': close ? 1 : 0 });
    const body = req.method === 'HEAD' ? Buffer.alloc(0) : payload(seed, req.id, SALT.response, req.size);
    const fields: [string, string | number][] = [
      [H.id, req.id],
      [H.conn, this.id],
      [H.fault, fault],
      [H.len, req.size],
      [H.sum, checksum(req.method === 'HEAD' ? payload(seed, req.id, SALT.response, req.size) : body)],
    ];
    if (req.method === 'POST') fields.push([H.reqLen, req.body.length], [H.reqSum, checksum(req.body)]);
    const head = responseHead(fields, framing, req.size, close);
    const pieces: number[] = [];
    for (let left = body.length; left > 0; ) {
      const n = rng.int(1, 32 * 1024);
      pieces.push(n);
      left -= n;
    }
    const wire = req.method === 'HEAD' ? Buffer.alloc(0) : bodyWire(body, framing, pieces);
    const sock = this.#socket;

    switch (fault) {
      case 'normal':
        sock.write(Buffer.concat([head, wire]));
        return true;
      case 'conn-close':
        sock.end(Buffer.concat([head, wire]));
        this.#leave('conn-close');
        return false;
      case 'slow':
        await this.#trickle(Buffer.concat([head, wire]), rng);
        return !this.#gone;
      case 'rst-head':
        await sleep(rng.int(0, 5));
        sock.resetAndDestroy();
        this.#leave('rst');
        return false;
      case 'rst-body':
        await this.#write(Buffer.concat([head, wire.subarray(0, rng.int(1, wire.length - 1))]));
        await sleep(rng.int(1, 10));
        if (!this.#gone) sock.resetAndDestroy();
        this.#leave('rst');
        return false;
      case 'stall-head':
      case 'stall-body':
        // The client's timeout ends it: its close is this connection's 'peer' end.
        this.#stalled = true;
        activeStalls++;
        if (fault === 'stall-body') sock.write(Buffer.concat([head, wire.subarray(0, rng.int(1, wire.length - 1))]));
        return false;
    }
  }

  #write(data: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.#gone) resolve();
      else this.#socket.write(data, () => resolve());
    });
  }

  async #trickle(data: Buffer, rng: Rng): Promise<void> {
    const n = rng.int(3, 12);
    const step = Math.ceil(data.length / n);
    const every = Math.min(rng.int(2, 25), Math.floor(SLOW_BUDGET_MS / n));
    for (let pos = 0; pos < data.length && !this.#gone; pos += step) {
      this.#socket.write(data.subarray(pos, pos + step));
      await sleep(every);
    }
  }
}

let nextConnId = 1;
const server = net.createServer({ noDelay: true }, (socket) => {
  counters.accepted++;
  counters.open++;
  new ServerConn(nextConnId++, socket);
  // After this poll phase: a client that closed one connection and dialed the next has its
  // FIN (sent first) processed by then, so `open` is the number of connections really alive.
  setImmediate(() => {
    if (counters.open > counters.maxOpen) counters.maxOpen = counters.open;
  });
});

function forget(below: number): void {
  for (const id of seen.keys()) if (id < below) seen.delete(id);
  const old = Date.now() - 30_000;
  for (const [conn, e] of ends) if (e.end !== 'open' && e.at < old) ends.delete(conn);
}

process.on('message', (raw: unknown) => {
  const msg = raw as ToServer;
  if (msg.type === 'query') {
    const records: Record<string, SeenRecord[]> = {};
    for (const id of msg.ids) records[id] = seen.get(id) ?? [];
    const out: Record<string, ConnEnd> = {};
    for (const c of msg.conns) out[c] = ends.get(c)?.end ?? 'open';
    send({ type: 'answer', qid: msg.qid, records, ends: out });
  } else if (msg.type === 'forget') {
    forget(msg.below);
  } else if (msg.type === 'counters') {
    send({ type: 'counters', qid: msg.qid, counters: { ...counters, faults: { ...counters.faults } } });
  }
});

// The parent going away (crash, kill, normal end) must never leave this process behind.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('soak server: no TCP address');
  send({ type: 'listening', port: addr.port });
});
