// Expect: 100-continue over HTTP/2 (RFC 9110 §10.1.1), as Go's http2 transport does it
// (x/net/http2 transport.go, clientStream.writeRequest): the HEADERS go without END_STREAM and
// the body waits for a 100 (node:http2 emits 'continue'), or expectContinueTimeout, whichever
// comes first. A final response that comes first is the exchange's business (h2/conn.ts), as is
// the wait100Continue event: a hook may end the exchange at once, which must find the wait to stop.

import type * as http2 from 'node:http2';
import { emit, type TraceCtx } from '../trace.js';

export class ContinueWait {
  #timer: NodeJS.Timeout | null;
  #over = false;

  constructor(
    readonly stream: http2.ClientHttp2Stream,
    timeoutMs: number,
    readonly trace: TraceCtx | null,
    readonly send: () => void,
  ) {
    this.#timer = setTimeout(this.#release, timeoutMs);
    stream.once('continue', this.#onContinue);
  }

  readonly #onContinue = (): void => {
    emit(this.trace, 'got100Continue');
    this.#release();
  };

  /** 100 Continue or the timeout: the body goes now. */
  readonly #release = (): void => {
    if (this.#over) return;
    this.stop();
    this.send();
  };

  /** No more waiting, and no body from here (the exchange decides what comes next). */
  stop(): void {
    this.#over = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.stream.removeListener('continue', this.#onContinue);
  }
}
