// MockTransport: a RoundTripper that answers from expectations instead of the network, for unit
// tests of code that uses httpool (undici's MockAgent is the model: intercept by origin and
// path, reply or fail, check at the end that nothing expected was left unused). It opens no
// socket. Its responses are made with Response.from, so the Client's redirects, cookies and
// timeout and the body's readers behave as they do for the network.
//
// Part of httpool/testing (src/testing/): it uses src/ and src/ never uses it.

import { AssertionError } from 'node:assert';
import { cancelFor } from '../cancel.js';
import { HttpoolError, redactUrl, withRequest } from '../errors.js';
import type { Request } from '../request.js';
import { RequestBody } from '../request-body.js';
import { adoptResponse, whenBodySettled, type Response } from '../response.js';
import type { RoundTripper } from '../transport/transport.js';
import { MockExpectation } from './mock-expectation.js';
import { clip, FIELDS, invalid, originOf, test, type MockCall, type MockMatch } from './mock-match.js';
import { untilCancelled } from './mock-wait.js';

export interface MockTransportOptions {
  /**
   * Where requests that match no expectation go instead of failing with ERR_NO_MOCK: a real
   * Transport (or any RoundTripper). Every unmatched request passes unless mock.passthrough(…)
   * has narrowed it to some origins. The mock does not close it. @default null (none pass)
   */
  passthrough?: RoundTripper | null;
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

