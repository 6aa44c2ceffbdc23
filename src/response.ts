// The response a round trip returns: status, headers, and a Body that owns the connection
// until the body has arrived, been closed, or been collected.

import { Body, type BodyChannel, type SettleListener } from './body.js';
import { Headers } from './headers.js';
import type { Request } from './request.js';
import type { Duplex } from 'node:stream';

export interface ResponseInit {
  statusCode: number;
  reason: string;
  proto: string;
  headers: Headers;
  contentLength: number;
  channel: BodyChannel;
  request: Request;
  uncompressed: boolean;
  upgrade?: Duplex | null;
}

let settledHook: (res: Response, l: SettleListener) => void;

/** Internal (not exported from the package): `l` is told once the body has arrived, failed or been closed. */
export function whenBodySettled(res: Response, l: SettleListener): void {
  settledHook(res, l);
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
  /** The request that produced this response (the last hop, after redirects). */
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

  static {
    settledHook = (res, l) => res.#channel.whenSettled(l);
  }

  constructor(init: ResponseInit) {
    this.statusCode = init.statusCode;
    this.status = init.reason === '' ? String(init.statusCode) : `${init.statusCode} ${init.reason}`;
    this.proto = init.proto;
    this.headers = init.headers;
    this.contentLength = init.contentLength;
    this.request = init.request;
    this.uncompressed = init.uncompressed;
    this.upgrade = init.upgrade ?? null;
    this.#channel = init.channel;
    this.body = new Body(init.channel);
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
