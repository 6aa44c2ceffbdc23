// MockTransport: a RoundTripper that answers from expectations instead of the network, for unit
// tests of code that uses httpool (undici's MockAgent is the model: intercept by origin and
// path, reply or fail, check at the end that nothing expected was left unused). It opens no
// socket. Its responses are made with Response.from, so the Client's redirects, cookies and
// timeout and the body's readers behave as they do for the network.
//
// Part of httpool/testing (src/testing/): it uses src/ and src/ never uses it.

import { AssertionError } from 'node:assert';
import { cancelFor, type Cancel } from '../cancel.js';
import {
  AbortedError,
  BodyError,
  ConnectError,
  ConnectionError,
  HttpoolError,
  InvalidRequestError,
  ProtocolError,
  ProxyError,
  RedirectError,
  TimeoutError,
  TlsError,
  TransportClosedError,
  redactUrl,
  withRequest,
  type ErrorCode,
} from '../errors.js';
import { Headers, type HeadersInit } from '../headers.js';
import type { Request } from '../request.js';
import { RequestBody } from '../request-body.js';
import { Response, adoptResponse, whenBodySettled, type ResponseBodyInit, type ResponseParts } from '../response.js';
import type { RoundTripper } from '../transport/transport.js';

/** Which requests an expectation answers. Every field is optional; a field left out matches anything. */
export interface MockMatch {
  /** The method, exactly as sent ('GET', 'POST'…; methods are case-sensitive). */
  method?: string;
  /** scheme://host[:port], e.g. 'http://api.test' (a default port may be left out; a path is ignored). */
  origin?: string | URL;
  /**
   * A string is the exact path ('/users/1'), or path and query when it contains '?'
   * ('/search?q=x'). A RegExp matches when it matches the path, or the path and query.
   */
  path?: string | RegExp;
  /** Each listed parameter must have exactly these values (in order); unlisted ones may be present. */
  query?: Record<string, string | readonly string[]> | URLSearchParams;
  /** Each listed header must be present; a string equals its value (or one of them), a RegExp matches them joined by ', '. Names are case-insensitive. */
  headers?: Record<string, string | RegExp>;
  /** The request body as UTF-8 text: equal to a string, matched by a RegExp, or accepted by a function. No body reads as ''. */
  body?: string | RegExp | ((text: string) => boolean);
}

/** A request the MockTransport saw, its body read (once: a stream body is consumed by the mock). */
export interface MockCall {
  readonly request: Request;
  readonly method: string;
  /** The URL's href. */
  readonly url: string;
  /** The request's headers, with the Content-Type its body implies when it set none (as the Transport would send). */
  readonly headers: Headers;
  /** The body's bytes, or null when the request had none. */
  readonly bytes: Uint8Array | null;
  /** The body as UTF-8 text, or null when the request had none. */
  readonly text: string | null;
  /** The expectation that answered; null when none did (ERR_NO_MOCK, or passed through). */
  readonly expectation: MockExpectation | null;
  /** The request went to the passthrough RoundTripper. */
  readonly passthrough: boolean;
}

/** A reply body: a response body, or any other object or array, sent as JSON (Content-Type application/json unless given). */
export type MockReplyBody = ResponseBodyInit | object;

/** A reply made per request: a Response (Response.from) or the parts of one, or a promise of either. */
export type MockReplyFunction = (req: Request, call: MockCall) => Response | ResponseParts | Promise<Response | ResponseParts>;

export interface MockTransportOptions {
  /**
   * Where requests that match no expectation go instead of failing with ERR_NO_MOCK: a real
   * Transport (or any RoundTripper). Every unmatched request passes unless mock.passthrough(…)
   * has narrowed it to some origins. The mock does not close it. @default null (none pass)
   */
  passthrough?: RoundTripper | null;
}

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
    const m = this.match;
    const out: string[] = [];
    if (m.method !== undefined && m.method !== call.method) out.push(`method ${call.method} is not ${m.method}`);
    if (this.#origin !== null && this.#origin !== url.origin) out.push(`origin ${url.origin} is not ${this.#origin}`);
    if (m.path !== undefined) {
      const path = url.pathname;
      const full = path + url.search;
      const ok = typeof m.path === 'string' ? (m.path.includes('?') ? full === m.path : path === m.path) : test(m.path, path) || test(m.path, full);
      if (!ok) out.push(`path ${JSON.stringify(typeof m.path === 'string' && m.path.includes('?') ? full : path)} does not match ${describeValue(m.path)}`);
    }
    if (m.query !== undefined) {
      for (const [name, want] of queryEntries(m.query)) {
        const got = url.searchParams.getAll(name);
        if (got.length !== want.length || got.some((v, i) => v !== want[i])) {
          out.push(`query ${name}=${got.length === 0 ? '(absent)' : JSON.stringify(got.length === 1 ? got[0] : got)} is not ${JSON.stringify(want.length === 1 ? want[0] : want)}`);
        }
      }
    }
    if (m.headers !== undefined) {
      for (const name of Object.keys(m.headers)) {
        const want = m.headers[name]!;
        const got = call.headers.values(name);
        const joined = got.join(', ');
        const ok = got.length > 0 && (typeof want === 'string' ? joined === want || got.includes(want) : test(want, joined));
        if (!ok) out.push(`header ${name}: ${got.length === 0 ? '(absent)' : JSON.stringify(joined)} does not match ${describeValue(want)}`);
      }
    }
    if (m.body !== undefined) {
      const text = call.text ?? '';
      let ok: boolean;
      let why = '';
      if (typeof m.body === 'function') {
        try {
          ok = m.body(text) === true;
        } catch (err) {
          ok = false;
          why = ` (the body function threw: ${(err as Error)?.message ?? String(err)})`;
        }
      } else {
        ok = typeof m.body === 'string' ? text === m.body : test(m.body, text);
      }
      if (!ok) out.push(`body ${call.text === null ? '(none)' : JSON.stringify(clip(text))} does not match ${describeValue(m.body)}${why}`);
    }
    return out;
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

/**
 * A RoundTripper for tests: `new Client({ transport: mock })` or `createFetch(new Client({
 * transport: mock }))`. Requests are matched against the expectations in the order they were
 * added (a used-up one is skipped); the first that matches answers. A request that matches
 * none fails with ERR_NO_MOCK naming it and the closest expectations, or, when a passthrough
 * RoundTripper is given and the origin is allowed (see passthrough()), is sent there.
 *
 * ```ts
 * const mock = new MockTransport();
 * mock.on({ method: 'GET', origin: 'http://api.test', path: '/users/1' }).reply(200, { id: 1 });
 * const client = new Client({ transport: mock });
 * // … the code under test …
 * mock.assertAllUsed();
 * ```
 */
export class MockTransport implements RoundTripper {
  readonly #expectations: MockExpectation[] = [];
  readonly #calls: MockCall[] = [];
  readonly #passthrough: RoundTripper | null;
  /** Origins allowed through; null: all of them (once a passthrough RoundTripper is given). */
  #allowed: ((origin: string) => boolean)[] | null = null;

  constructor(opts: MockTransportOptions = {}) {
    this.#passthrough = opts.passthrough ?? null;
  }

  /** A new expectation for requests like `match` (every field optional: on() matches every request). */
  on(match: MockMatch = {}): MockExpectation {
    const exp = new MockExpectation(this.#expectations.length + 1, match);
    this.#expectations.push(exp);
    return exp;
  }

  /**
   * Lets unmatched requests to these origins (strings as 'http://host:port', or RegExps tested
   * on the origin) go to the passthrough RoundTripper given to the constructor; with no
   * argument, every origin. Until this is called, every unmatched request passes (when there
   * is a passthrough RoundTripper at all). Calls add up.
   */
  passthrough(...origins: (string | URL | RegExp)[]): this {
    if (this.#passthrough === null) {
      throw invalid('passthrough() needs a RoundTripper to pass to: new MockTransport({ passthrough: new Transport() })');
    }
    if (origins.length === 0) {
      this.#allowed = null;
      return this;
    }
    const allowed = (this.#allowed ??= []);
    for (const o of origins) {
      if (o instanceof RegExp) allowed.push((origin) => test(o, origin));
      else {
        const want = originOf(o);
        allowed.push((origin) => origin === want);
      }
    }
    return this;
  }

  /** The requests seen so far, in order, bodies included. */
  get calls(): readonly MockCall[] {
    return this.#calls;
  }

  /** Every expectation, in the order added. */
  get expectations(): readonly MockExpectation[] {
    return this.#expectations;
  }

  /** The expectations not yet used as often as they must be (once, times(n), or at least once if persisted). */
  pending(): MockExpectation[] {
    return this.#expectations.filter((e) => !e.done);
  }

  /** Throws an AssertionError naming every expectation that was not used as often as it must be. */
  assertAllUsed(): void {
    const left = this.pending();
    if (left.length === 0) return;
    throw new AssertionError({
      message: `${left.length} mock expectation${left.length === 1 ? ' was' : 's were'} not used:\n${left.map((e) => `  ${e}`).join('\n')}`,
      stackStartFn: this.assertAllUsed,
    });
  }

  async roundTrip(req: Request): Promise<Response> {
    // The Client's token (its timeout and the caller's signal), or one bridged from req.signal.
    const cancel = cancelFor(req);
    const owned = cancel !== null && cancel.ownedByTransport;
    try {
      if (cancel?.aborted === true) throw cancel.reason!;
      const url = req.url;
      const call = await untilCancelled(record(req), cancel);
      this.#calls.push(call);
      const exp = this.#expectations.find((e) => e.available && e._mismatches(call, url).length === 0) ?? null;
      let res: Response;
      if (exp !== null) {
        call.expectation = exp;
        res = await exp._answer(req, call, cancel);
      } else if (this.#passes(url.origin)) {
        call.passthrough = true;
        res = await this.#passthrough!.roundTrip(forwarded(req, call));
        res.request = req;
      } else {
        throw this.#noMock(req, call, url);
      }
      adoptResponse(res, req, cancel);
      if (owned) whenBodySettled(res, () => cancel.release());
      return res;
    } catch (err) {
      if (owned) cancel.release();
      if (err instanceof HttpoolError) throw withRequest(err, req.method, redactUrl(req.url));
      throw err;
    }
  }

  #passes(origin: string): boolean {
    if (this.#passthrough === null) return false;
    return this.#allowed === null || this.#allowed.some((f) => f(origin));
  }

  /** ERR_NO_MOCK: the request, and the expectations that came closest (most fields agreeing; a used-up exact match first). */
  #noMock(req: Request, call: MockCall, url: URL): HttpoolError {
    let text: string;
    if (this.#expectations.length === 0) {
      text = 'no mock expectation matches: none was added (mock.on(match).reply(…))';
    } else {
      // Closest: agrees with the request on the most fields, then is off on the fewest, then can still answer.
      const ranked = this.#expectations
        .map((e) => {
          const off = e._mismatches(call, url);
          const fieldsOff = new Set(off.map((line) => line.slice(0, line.indexOf(' ')))).size;
          const given = FIELDS.filter((k) => e.match[k] !== undefined).length;
          return { e, off, on: given - fieldsOff, fieldsOff };
        })
        .sort((a, b) => b.on - a.on || a.fieldsOff - b.fieldsOff || Number(b.e.available) - Number(a.e.available) || a.e.index - b.e.index)
        .slice(0, 3);
      const lines = ranked.map(({ e, off }) => {
        const why = off.length === 0 ? 'matches, but is used up' : `${off.join('; ')}${e.available ? '' : '; and it is used up'}`;
        return `  ${e}\n      ${why}`;
      });
      const more = this.#expectations.length - ranked.length;
      text = `no mock expectation matches; the closest${more > 0 ? ` (of ${this.#expectations.length})` : ''}:\n${lines.join('\n')}`;
    }
    if (call.text !== null) text += `\n  request body: ${JSON.stringify(clip(call.text))}`;
    return new HttpoolError('ERR_NO_MOCK', text, { method: req.method, url: redactUrl(req.url) });
  }
}

/** The request as the mock records it: its body read whole (a stream is consumed here). */
async function record(req: Request): Promise<MockCall & { expectation: MockExpectation | null; passthrough: boolean }> {
  let bytes: Uint8Array | null = null;
  const body = req.body;
  if (body !== null) {
    const source = body.open();
    if (source.kind === 'bytes') bytes = source.data;
    else {
      const parts: Uint8Array[] = [];
      for await (const chunk of source.chunks) parts.push(chunk);
      bytes = Buffer.concat(parts);
    }
  }
  let headers = req.headers;
  if (body?.contentType != null && !headers.has('content-type')) headers = headers.clone().set('Content-Type', body.contentType);
  return {
    request: req,
    method: req.method,
    url: req.url.href,
    headers,
    bytes,
    text: bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    expectation: null,
    passthrough: false,
  };
}

/** The request to pass on: the same one, or (its body having been read) a copy carrying the bytes read. */
function forwarded(req: Request, call: MockCall): Request {
  const body = req.body;
  if (body === null || call.bytes === null) return req;
  const data = call.bytes;
  const out = req.with({ body: new RequestBody(data.length, true, body.contentType, () => ({ kind: 'bytes', data })) });
  out._cancel = req._cancel;
  return out;
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

/** Waits `ms`, or rejects with the cancellation's reason as soon as it fires. */
function sleep(ms: number, cancel: Cancel | null): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (cancel?.aborted === true) {
      reject(cancel.reason!);
      return;
    }
    const l = {
      cancelled(): void {
        clearTimeout(timer);
        reject(cancel!.reason!);
      },
    };
    const timer = setTimeout(() => {
      cancel?.off(l);
      resolve();
    }, ms);
    cancel?.on(l);
  });
}

/** `p`, or the cancellation's reason if it fires first (a late Response is closed). */
function untilCancelled<T>(p: Promise<T>, cancel: Cancel | null): Promise<T> {
  if (cancel === null) return p;
  if (cancel.aborted) {
    p.then(closeLate, () => {});
    return Promise.reject(cancel.reason!);
  }
  return new Promise<T>((resolve, reject) => {
    // The Client's deadline timer is unref'd (a socket keeps a network exchange alive): held
    // here, so a reply that never comes times out instead of letting the process exit.
    const alive = setInterval(noop, 0x3fffffff);
    const l = {
      cancelled: () => {
        clearInterval(alive);
        reject(cancel.reason!);
      },
    };
    cancel.on(l);
    p.then(
      (v) => {
        clearInterval(alive);
        cancel.off(l);
        if (cancel.aborted) closeLate(v);
        else resolve(v);
      },
      (err: unknown) => {
        clearInterval(alive);
        cancel.off(l);
        reject(err);
      },
    );
  });
}

function noop(): void {}

function closeLate(v: unknown): void {
  if (v instanceof Response) v.body.close().catch(() => {});
}

const FAILURES: Partial<Record<ErrorCode, new (code: ErrorCode, message: string) => HttpoolError>> = {
  ERR_TIMEOUT: TimeoutError,
  ERR_ABORTED: AbortedError,
  ERR_CONNECT: ConnectError,
  ERR_DNS: ConnectError,
  ERR_TLS: TlsError,
  ERR_PROTOCOL: ProtocolError,
  ERR_HEADERS_TOO_LARGE: ProtocolError,
  ERR_DECODE: ProtocolError,
  ERR_CONNECTION_CLOSED: ConnectionError,
  ERR_READ: ConnectionError,
  ERR_WRITE: ConnectionError,
  ERR_BODY_NOT_REPLAYABLE: BodyError,
  ERR_BODY_CONSUMED: BodyError,
  ERR_BODY_TOO_LARGE: BodyError,
  ERR_BODY_LEAKED: BodyError,
  ERR_INVALID_BODY: BodyError,
  ERR_TOO_MANY_REDIRECTS: RedirectError,
  ERR_REDIRECT: RedirectError,
  ERR_INVALID_METHOD: InvalidRequestError,
  ERR_INVALID_HEADER: InvalidRequestError,
  ERR_INVALID_URL: InvalidRequestError,
  ERR_INVALID_OPTION: InvalidRequestError,
  ERR_TRANSPORT_CLOSED: TransportClosedError,
};

function failure(code: ErrorCode, message: string): HttpoolError {
  if (code === 'ERR_PROXY') return new ProxyError(message, 0);
  const Class = FAILURES[code] ?? HttpoolError;
  return new Class(code, message);
}

function invalid(message: string): HttpoolError {
  return new HttpoolError('ERR_INVALID_OPTION', `MockTransport: ${message}`);
}

function originOf(origin: string | URL): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch (cause) {
    throw new HttpoolError('ERR_INVALID_OPTION', `MockTransport: origin ${JSON.stringify(String(origin))} is not a URL (e.g. 'http://api.test')`, { cause });
  }
  return url.origin;
}

function queryEntries(q: Record<string, string | readonly string[]> | URLSearchParams): [string, readonly string[]][] {
  if (q instanceof URLSearchParams) return [...new Set(q.keys())].map((k) => [k, q.getAll(k)]);
  return Object.keys(q).map((k) => {
    const v = q[k]!;
    return [k, typeof v === 'string' ? [v] : v];
  });
}

/** RegExp.test without the lastIndex state a /g or /y pattern would carry between requests. */
function test(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

const FIELDS = ['method', 'origin', 'path', 'query', 'headers', 'body'] as const;

function describeMatch(m: MockMatch): string {
  const parts: string[] = [];
  for (const key of FIELDS) {
    const v = m[key];
    if (v !== undefined) parts.push(`${key}: ${describeValue(v)}`);
  }
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}

function describeValue(v: unknown): string {
  if (v instanceof RegExp) return String(v);
  if (typeof v === 'function') return '(function)';
  if (v instanceof URL) return JSON.stringify(v.href);
  if (v instanceof URLSearchParams) return JSON.stringify(v.toString());
  if (Array.isArray(v)) return `[${v.map(describeValue).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${describeValue(x)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(v);
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
