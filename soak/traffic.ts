// The request mix: N workers, each sending one planned request at a time through the one
// Client, verifying every byte it reads, and recording each failure with the connections its
// attempts went out on (trace gotConn) so the verifier can tell a deserved error from a bug.

import { HttpoolError, type Client, type ClientTrace, type Response } from '../src/index.js';
import { checkBody, checkHead, checkPrefix } from './checks.js';
import type { Ledger } from './ledger.js';
import { planFor, requestBody, type Plan } from './plan.js';
import { H } from './protocol.js';
import type { Attempt, Failure } from './verify.js';

export interface TrafficOptions {
  seed: number;
  origin: string;
  client: Client;
  concurrency: number;
  /** performance.now() after which no request starts. */
  until: number;
  maxRequests: number;
  /** A request (head and body) not settled by then is a hang. */
  deadlineMs: number;
  ledger: Ledger;
  /** Called as each attempt gets its connection: the moment the pool's counts matter. */
  onGotConn(): void;
  /** A big body was dropped unread: collect soon, so its connection comes back. */
  requestGc(): void;
}

/** Client connection id → server connection id, learned from response heads. Bounded. */
class ConnMap {
  readonly #m = new Map<number, number>();

  set(client: number, server: number): void {
    this.#m.delete(client);
    this.#m.set(client, server);
    // Only connections alive now can be named by a failure; older entries are history.
    if (this.#m.size > 1000) this.#m.delete(this.#m.keys().next().value as number);
  }

  get(client: number): number | undefined {
    return this.#m.get(client);
  }
}

export class Traffic {
  readonly #o: TrafficOptions;
  readonly #conns = new ConnMap();
  /** Ids started and not yet settled (hung ones included): the server may forget below the least. */
  readonly inFlight = new Set<number>();
  #nextId = 1;

  constructor(o: TrafficOptions) {
    this.#o = o;
  }

  async run(): Promise<void> {
    const workers: Promise<void>[] = [];
    for (let i = 0; i < this.#o.concurrency; i++) workers.push(this.#worker());
    await Promise.all(workers);
  }

  /** The lowest id whose server records may still be needed. */
  lowestOpenId(): number {
    let low = this.#nextId;
    for (const id of this.inFlight) if (id < low) low = id;
    for (const f of this.#o.ledger.pending) if (f.plan.id < low) low = f.plan.id;
    return low;
  }

  async #worker(): Promise<void> {
    const o = this.#o;
    // Bounded by time and by count.
    while (performance.now() < o.until && this.#nextId <= o.maxRequests) {
      await this.#withDeadline(this.#nextId++);
    }
  }

  async #withDeadline(id: number): Promise<void> {
    const plan = planFor(this.#o.seed, id);
    if (plan.pauseMs > 0) await new Promise((r) => setTimeout(r, plan.pauseMs));
    this.#o.ledger.begin(plan.kind, plan.read);
    this.inFlight.add(id);
    const stage = { at: 'waiting for the response head' };
    const work = this.#one(plan, stage).finally(() => this.inFlight.delete(id));
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<'hang'>((resolve) => {
      timer = setTimeout(() => resolve('hang'), this.#o.deadlineMs);
    });
    const r = await Promise.race([work, hang]);
    clearTimeout(timer);
    if (r === 'hang') {
      this.#o.ledger.hung++;
      this.#o.ledger.problem('hang', `${plan.kind} #${id} (read ${plan.read}, ${plan.size} B) not settled after ${this.#o.deadlineMs} ms, ${stage.at}`);
    }
  }

  async #one(plan: Plan, stage: { at: string }): Promise<void> {
    const o = this.#o;
    const attempts: Attempt[] = [];
    const trace: ClientTrace = {
      gotConn: (info) => {
        // The server side is looked up when a failure needs it: a connection handed straight
        // from a finishing response to this request gets here before that response's await
        // resumed and recorded it.
        attempts.push({ conn: info.connId, reused: info.reused, server: undefined });
        o.onGotConn();
      },
    };
    let res: Response;
    try {
      res = await this.#send(plan, trace);
    } catch (err) {
      this.#failed(plan, 'head', err, attempts, undefined);
      return;
    }
    const server = Number(res.headers.get(H.conn));
    const last = attempts[attempts.length - 1];
    if (last !== undefined && Number.isInteger(server)) this.#conns.set(last.conn, server);
    const wrongHead = checkHead(o.seed, plan, res.statusCode, res.headers);
    if (wrongHead !== null) {
      o.ledger.problem('wrong', `${plan.kind} #${plan.id}: ${wrongHead}`);
      await res.body.close();
      return;
    }
    stage.at = `reading the body (${plan.read}, server fault ${res.headers.get(H.fault)})`;
    try {
      const wrong = await this.#consume(plan, res);
      if (wrong !== null) o.ledger.problem('wrong', `${plan.kind} #${plan.id} (${plan.read}, fault ${res.headers.get(H.fault)}): ${wrong}`);
      else {
        o.ledger.ok++;
        if (attempts.length > 1) o.ledger.retriedOk++;
      }
    } catch (err) {
      this.#failed(plan, 'body', err, attempts, Number.isInteger(server) ? server : undefined);
    }
  }

  #failed(plan: Plan, phase: 'head' | 'body', err: unknown, attempts: Attempt[], headConn: number | undefined): void {
    if (!(err instanceof HttpoolError) || typeof err.code !== 'string') {
      const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.#o.ledger.problem('untyped', `${plan.kind} #${plan.id} (${phase}) threw ${what}, not an HttpoolError with a code`);
      return;
    }
    for (const a of attempts) a.server ??= this.#conns.get(a.conn);
    this.#o.ledger.pending.push({ plan, code: err.code, message: err.message, phase, attempts, headConn });
  }

  #send(plan: Plan, trace: ClientTrace): Promise<Response> {
    const { client, origin, seed } = this.#o;
    const url = `${origin}/soak/${plan.id}`;
    const headers: Record<string, string> = { [H.id]: String(plan.id), [H.size]: String(plan.size) };
    switch (plan.kind) {
      case 'GET':
        return client.get(url, { headers, trace });
      case 'HEAD':
        return client.head(url, { headers, trace });
      case 'POST-bytes':
        return client.post(url, 'application/octet-stream', requestBody(seed, plan), { headers, trace });
      case 'POST-string':
        return client.post(url, 'text/plain', requestBody(seed, plan).toString('latin1'), { headers, trace });
      case 'POST-idempotent':
        headers['Idempotency-Key'] = `soak-${seed}-${plan.id}`;
        return client.post(url, 'application/octet-stream', requestBody(seed, plan), { headers, trace });
      case 'POST-stream':
        return client.post(url, 'application/octet-stream', pieces(requestBody(seed, plan), plan.id), { headers, trace });
    }
  }

  /** Reads (or not) as planned; returns what is wrong with the bytes, or null. */
  async #consume(plan: Plan, res: Response): Promise<string | null> {
    const seed = this.#o.seed;
    switch (plan.read) {
      case 'bytes':
        return checkBody(seed, plan, await res.body.bytes(), res.headers);
      case 'iterate': {
        const parts: Uint8Array[] = [];
        for await (const chunk of res.body) parts.push(chunk);
        return checkBody(seed, plan, Buffer.concat(parts), res.headers);
      }
      case 'stream': {
        const parts: Uint8Array[] = [];
        const reader = res.body.stream().getReader();
        // Ends with the body: each read either yields bytes or reports done.
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parts.push(value);
        }
        return checkBody(seed, plan, Buffer.concat(parts), res.headers);
      }
      case 'close-early': {
        const it = res.body[Symbol.asyncIterator]();
        const first = await it.next();
        const wrong = first.done === true ? null : checkPrefix(seed, plan, first.value);
        await res.body.close();
        return wrong;
      }
      case 'close-unread':
        await res.body.close();
        return null;
      case 'drop':
        // Nothing keeps `res` once this returns; only the collector can release a big body.
        if (plan.size > 256 * 1024) this.#o.requestGc();
        return null;
    }
  }
}

/** A single-use upload in several pieces, a turn of the event loop apart. */
async function* pieces(body: Buffer, id: number): AsyncIterable<Uint8Array> {
  const n = 1 + (id % 5);
  const step = Math.max(1, Math.ceil(body.length / n));
  for (let pos = 0; pos < body.length; pos += step) {
    await new Promise<void>((r) => setImmediate(r));
    yield body.subarray(pos, pos + step);
  }
}
