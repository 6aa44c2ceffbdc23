// The response a round trip returns: status, headers, and a Body that owns the connection
// until the body has arrived, been closed, or been collected. The Transport builds one from a
// connection's channel; anyone else (a RoundTripper of one's own, MockTransport) builds one
// with Response.from (Go's `&http.Response{…}`), whose body is fed by hand-body.ts.

import { STATUS_CODES } from 'node:http';
import { Body, type BodyChannel, type SettleListener } from './body.js';
import type { Cancel } from './cancel.js';
import type { ConnAddress, ConnInfo, TLSState } from './conn-info.js';
import { HttpoolError } from './errors.js';
import { handChannel, type HandBody } from './hand-body.js';
import { Headers, type HeadersInit } from './headers.js';
import type { Request } from './request.js';
import type { Duplex } from 'node:stream';

/** What a response made by hand may have as its body (Response.from). */
export type ResponseBodyInit = string | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null;

/** @internal What the Transport hands the constructor (not public: build responses with Response.from). */
export interface ResponseInit {
  statusCode: number;
  reason: string;
  proto: string;
  headers: Headers;
  contentLength: number;
  channel: BodyChannel;
  /** Null only for a hand-made response that was given none (the Client fills it in). */
  request: Request | null;
  uncompressed: boolean;
  upgrade?: Duplex | null;
  /** The feeder of a hand-made streamed body. */
  hand?: HandBody | null;
  /** The whole status text ("404 Not Found"), when given by hand. */
  status?: string;
  /** The connection that carried it (the Transport's responses only). */
  conn?: ConnInfo | null;
}

/** Response.from's fields (Go's `http.Response` literal); every one optional. */
export interface ResponseParts {
  /** @default 200 */
  statusCode?: number;
  /** "404 Not Found", or the reason phrase alone ("Not Found"). @default the standard phrase for statusCode */
  status?: string;
  headers?: HeadersInit;
  /** The body; a stream or iterable is read as it yields, and only once (one response). @default null (empty) */
  body?: ResponseBodyInit;
  /** Trailer fields, visible on res.trailers once the body has been read to the end. */
  trailers?: HeadersInit;
  /** The request answered; when left out, the Client (and fetch) set the request they sent. */
  request?: Request | null;
  /** @default 'HTTP/1.1' */
  proto?: string;
}

let settledHook: (res: Response, l: SettleListener) => void;

let adoptHook: (res: Response, req: Request, cancel: Cancel | null) => void;

/** Internal (not exported from the package): `l` is told once the body has arrived, failed or been closed. */
export function whenBodySettled(res: Response, l: SettleListener): void {
  settledHook(res, l);
}

/**
 * @internal `res` answers `req` in an exchange whose token is `cancel`. A response made by hand
 * gets the request when it has none, names it in its body's errors, and has its streamed body
 * failed by the exchange's timeout or abort, as a connection fails a network body. Nothing
 * changes for a response from the Transport.
 */
export function adoptResponse(res: Response, req: Request, cancel: Cancel | null): void {
  adoptHook(res, req, cancel);
}

export class Response implements AsyncDisposable {
  /** 200 */
  readonly statusCode: number;
  /** "200 OK" */
  readonly status: string;
  /** "HTTP/1.1" */
  readonly proto: string;
  readonly headers: Headers;
  /** Bytes declared by the server, -1 when unknown (chunked, close-delimited, or decoded). */
  readonly contentLength: number;
  /**
   * The request that produced this response (the last hop, after redirects). A response made by
   * hand without one gets it from the Client or fetch that sent the request (or MockTransport);
   * until then it is null.
   */
  request: Request;
  readonly body: Body;
  /** The body was compressed on the wire and httpool decodes it (Go's Response.Uncompressed). */
  readonly uncompressed: boolean;
  /**
   * For 101 Switching Protocols: the connection itself, now the caller's (Go hands over the
   * conn as the Body). It has left the pool (close reason `upgraded`); end or destroy it when done.
   */
  readonly upgrade: Duplex | null;
  readonly #channel: BodyChannel;
  readonly #hand: HandBody | null;
  readonly #conn: ConnInfo | null;

  static {
    settledHook = (res, l) => res.#channel.whenSettled(l);
    adoptHook = (res, req, cancel) => {
      if (res.request === null) res.request = req;
      const hand = res.#hand;
      if (hand === null) return;
      hand.channel.context ??= res.request;
      if (cancel !== null) hand.bind(cancel);
    };
  }

  /**
   * A response as a RoundTripper of one's own returns it (Go's `&http.Response{…}`): any
   * RoundTripper may return it, and the Client treats it as a response from the network
   * (redirects, cookies, its timeout, the body's readers). A string or bytes body has a known
   * contentLength; a ReadableStream or AsyncIterable body is read as it goes (contentLength is
   * then the Content-Length header's, else -1), and closing the body early stops it.
   */
  static from(parts: ResponseParts = {}): Response {
    const statusCode = parts.statusCode ?? 200;
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 999) {
      throw new HttpoolError('ERR_INVALID_OPTION', `Response.from: statusCode must be an integer from 100 to 999, got ${String(statusCode)}`);
    }
    const headers = new Headers(parts.headers);
    const trailers = parts.trailers === undefined ? [] : new Headers(parts.trailers).raw().slice();
    const { channel, feeder, length } = handChannel(parts.body, trailers);
    const declared = headers.get('content-length');
    const status = parts.status;
    return new Response({
      statusCode,
      reason: STATUS_CODES[statusCode] ?? '',
      status: status === undefined ? undefined : status === String(statusCode) || status.startsWith(`${statusCode} `) ? status : `${statusCode} ${status}`,
      proto: parts.proto ?? 'HTTP/1.1',
      headers,
      contentLength: length >= 0 ? length : declared !== null && /^\d{1,15}$/.test(declared.trim()) ? Number(declared.trim()) : -1,
      channel,
      request: parts.request ?? null,
      uncompressed: false,
      hand: feeder,
    });
  }

  /** @internal The Transport's; build a response with Response.from. */
  constructor(init: ResponseInit);
  /** Not for building responses: use Response.from(). */
  constructor(init: never);
  constructor(init: ResponseInit) {
    if (init === null || typeof init !== 'object' || (init as Partial<ResponseInit>).channel === undefined) {
      throw new TypeError('Response: build a response with Response.from({ statusCode, headers, body }), not new Response()');
    }
    this.statusCode = init.statusCode;
    this.status = init.status ?? (init.reason === '' ? String(init.statusCode) : `${init.statusCode} ${init.reason}`);
    this.proto = init.proto;
    this.headers = init.headers;
    this.contentLength = init.contentLength;
    // Null only until adoptResponse (hand-made responses); the type says what every caller sees.
    this.request = init.request as Request;
    this.uncompressed = init.uncompressed;
    this.upgrade = init.upgrade ?? null;
    this.#channel = init.channel;
    this.#hand = init.hand ?? null;
    this.#conn = init.conn ?? null;
    this.body = new Body(init.channel);
  }

  /**
   * The TLS session of the connection that carried this response (Go's Response.TLS): protocol,
   * cipher, ALPN, the server's certificate chain, resumption. Null over http:// (and for a
   * response made by hand). Over a proxy it is the session with the target, not the proxy.
   */
  get tls(): TLSState | null {
    return this.#conn?.tls ?? null;
  }

  /** This side's address on the connection (Go: GotConnInfo.Conn.LocalAddr()), or null when not TCP or made by hand. */
  get localAddress(): ConnAddress | null {
    return this.#conn?.localAddress ?? null;
  }

  /** The peer's address (the proxy's when one was used), or null when not TCP or made by hand. */
  get remoteAddress(): ConnAddress | null {
    return this.#conn?.remoteAddress ?? null;
  }

  /** Trailer fields; filled once the body has been read to the end. */
  get trailers(): Headers {
    return Headers.fromRaw(this.#channel.trailers.slice());
  }

  /** @internal Bytes the body took on the wire if it was decoded (known once it has arrived), else -1. */
  get _encodedBytes(): number {
    return this.#channel.encodedBytes;
  }

  get ok(): boolean {
    return this.statusCode >= 200 && this.statusCode < 300;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.body.close();
  }
}
