// One MockTransport expectation (mock.on(match)): how often it answers, and with what (a reply
// made with Response.from, a reply function, or a failure), after an optional delay.

import type { Cancel } from '../cancel.js';
import type { ErrorCode } from '../errors.js';
import { Headers, type HeadersInit } from '../headers.js';
import type { Request } from '../request.js';
import { Response, type ResponseBodyInit, type ResponseParts } from '../response.js';
import { failure } from './mock-failures.js';
import { describeMatch, invalid, mismatches, originOf, type MockCall, type MockMatch } from './mock-match.js';
import { sleep, untilCancelled } from './mock-wait.js';

/** A reply body: a response body, or any other object or array, sent as JSON (Content-Type application/json unless given). */
export type MockReplyBody = ResponseBodyInit | object;

/** A reply made per request: a Response (Response.from) or the parts of one, or a promise of either. */
export type MockReplyFunction = (req: Request, call: MockCall) => Response | ResponseParts | Promise<Response | ResponseParts>;

type Answer =
  | { kind: 'reply'; status: number; body: MockReplyBody | undefined; headers: HeadersInit | undefined }
  | { kind: 'function'; fn: MockReplyFunction }
  | { kind: 'fail'; code: ErrorCode | null; error: Error | null; message: string | undefined };

/**
 * One expectation, from mock.on(match): answers a matching request once, or n times with
 * times(n), or every time with persist(). Set how with reply(…) or fail(…) (without either it
 * replies 200 with no body), and delay(ms) to wait first. The methods chain in any order.
 */
export class MockExpectation {
  /** 1-based, in the order of mock.on calls: how messages name it (#1, #2…). */
  readonly index: number;
  readonly match: Readonly<MockMatch>;
  #limit = 1;
  #uses = 0;
  #delay = 0;
  #answer: Answer = { kind: 'reply', status: 200, body: undefined, headers: undefined };
  readonly #origin: string | null;

  /** Use mock.on(match). */
  constructor(index: number, match: MockMatch) {
    this.index = index;
    this.match = Object.freeze({ ...match });
    this.#origin = match.origin === undefined ? null : originOf(match.origin);
    if (match.method !== undefined && typeof match.method !== 'string') throw invalid('method must be a string');
  }

  /** How many requests it has answered (a failure or an aborted delay counts: the request reached it). */
  get uses(): number {
    return this.#uses;
  }

  /** How many times it may answer; Infinity after persist(). */
  get limit(): number {
    return this.#limit;
  }

  /** Answers `n` requests instead of one. */
  times(n: number): this {
    if (!Number.isInteger(n) || n < 1) throw invalid(`times(n) needs a positive integer, got ${String(n)}`);
    this.#limit = n;
    return this;
  }

  /** Answers every matching request, for as long as the mock lives. */
  persist(): this {
    this.#limit = Infinity;
    return this;
  }

  /** Waits `ms` before replying or failing; the request's signal and the Client's timeout still cut it short. */
  delay(ms: number): this {
    if (!Number.isFinite(ms) || ms < 0) throw invalid(`delay(ms) needs a non-negative number, got ${String(ms)}`);
    this.#delay = ms;
    return this;
  }

  /**
   * reply(status, body?, headers?): a response with that status, body and headers, made afresh
   * for each request (a stream body can serve only one). reply(fn): `fn(req, call)` returns a
   * Response or its parts (Response.from's), or a promise of one; `call.text` has the request body.
   */
  reply(status: number, body?: MockReplyBody, headers?: HeadersInit): this;
  reply(fn: MockReplyFunction): this;
  reply(statusOrFn: number | MockReplyFunction, body?: MockReplyBody, headers?: HeadersInit): this {
    if (typeof statusOrFn === 'function') {
      this.#answer = { kind: 'function', fn: statusOrFn };
    } else {
      if (!Number.isInteger(statusOrFn) || statusOrFn < 100 || statusOrFn > 999) throw invalid(`reply(status) needs a status from 100 to 999, got ${String(statusOrFn)}`);
      this.#answer = { kind: 'reply', status: statusOrFn, body, headers };
    }
    return this;
  }

  /**
   * The request fails with an HttpoolError of this code (e.g. 'ERR_CONNECT', 'ERR_TIMEOUT'),
   * of the class httpool itself uses for it (ConnectError, TimeoutError…), naming the request.
   * An Error instead of a code is thrown as it is.
   */
  fail(code: ErrorCode | Error, message?: string): this {
    this.#answer = code instanceof Error ? { kind: 'fail', code: null, error: code, message } : { kind: 'fail', code, error: null, message };
    return this;
  }

  /** Has it answered as many times as it must (once; n after times(n); at least once after persist())? */
  get done(): boolean {
    return this.#uses >= (this.#limit === Infinity ? 1 : this.#limit);
  }

  /** Can it answer another request? */
  get available(): boolean {
    return this.#uses < this.#limit;
  }

  /** How it reads in messages: `#2 on({ method: "GET", path: /^\/items\// }).reply(200), used 0 of 1`. */
  toString(): string {
    return `#${this.index} on(${describeMatch(this.match)}).${this.#describeAnswer()}, used ${this.#uses} of ${this.#limit === Infinity ? 'unlimited (persist)' : this.#limit}`;
  }

  #describeAnswer(): string {
    const a = this.#answer;
    const delay = this.#delay > 0 ? `delay(${this.#delay}).` : '';
    if (a.kind === 'reply') return `${delay}reply(${a.status})`;
    if (a.kind === 'function') return `${delay}reply(fn)`;
    return `${delay}fail(${a.code !== null ? JSON.stringify(a.code) : (a.error?.name ?? 'Error')})`;
  }

  /** @internal Why `call` does not match, field by field (empty: it matches). */
  _mismatches(call: MockCall, url: URL): string[] {
    return mismatches(this.match, this.#origin, call, url);
  }

  /** @internal Counts one use; the delay, then the answer. */
  async _answer(req: Request, call: MockCall, cancel: Cancel | null): Promise<Response> {
    this.#uses++;
    if (this.#delay > 0) await sleep(this.#delay, cancel);
    const a = this.#answer;
    if (a.kind === 'fail') {
      if (a.error !== null) throw a.error;
      throw failure(a.code!, a.message ?? `mock failure (${a.code!}) from expectation #${this.index}`);
    }
    if (a.kind === 'reply') return Response.from(replyParts(a.status, a.body, a.headers, req));
    const made = await untilCancelled(Promise.resolve().then(() => a.fn(req, call)), cancel);
    return made instanceof Response ? made : Response.from({ request: req, ...made });
  }
}

function replyParts(status: number, body: MockReplyBody | undefined, headers: HeadersInit | undefined, req: Request): ResponseParts {
  if (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || isStreamLike(body)) {
    return { statusCode: status, body: (body ?? null) as ResponseBodyInit, headers, request: req };
  }
  const h = new Headers(headers);
  if (!h.has('content-type')) h.set('Content-Type', 'application/json');
  return { statusCode: status, body: JSON.stringify(body), headers: h, request: req };
}

function isStreamLike(v: object): boolean {
  return typeof (v as ReadableStream).getReader === 'function' || typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

