// CONNECT through an HTTP(S) proxy: send the CONNECT (connect-request.ts) and read the proxy's
// answer with the same parser as any response. onProxyConnectResponse sees every answer before
// its status is checked (Go's OnProxyConnectResponse); anything but a 2xx is then a ProxyError
// carrying the status and the proxy's header fields, and the socket is destroyed: no byte of
// the request ever goes through a refused tunnel.

import type { Duplex } from 'node:stream';
import { ConnectError, HttpoolError, ProxyError } from '../errors.js';
import { ResponseParser } from '../h1/parse.js';
import type { ResponseHead } from '../h1/types.js';
import { Headers } from '../headers.js';
import type { PoolKey } from '../transport/key.js';
import type { ProxyConnectResponse, ResolvedOptions } from '../transport/options.js';
import { connectRequest } from './connect-request.js';
import type { ProxyTarget } from './proxy-url.js';

type TunnelOptions = Pick<ResolvedOptions, 'proxyConnectHeader' | 'getProxyConnectHeader' | 'onProxyConnectResponse' | 'maxResponseHeaderBytes'>;

export async function connectTunnel(socket: Duplex, key: PoolKey, proxy: ProxyTarget, opts: TunnelOptions, userAgent: string): Promise<void> {
  const target = key.targetHostPort;
  let answer: ConnectAnswer | null = null;
  try {
    const req = await connectRequest(proxy, target, opts, userAgent);
    // getProxyConnectHeader may have outlived dialTimeout, which destroyed the socket.
    if (socket.destroyed) throw new ProxyError(`connection to proxy ${proxy.display} closed before CONNECT to ${target}`, 0);
    answer = new ConnectAnswer(socket, proxy, target, opts.maxResponseHeaderBytes);
    socket.write(req.head, 'latin1');
    const head = await answer.head;
    const status = `${head.statusCode}${head.reason ? ` ${head.reason}` : ''}`;
    const res: ProxyConnectResponse = { statusCode: head.statusCode, status, headers: Headers.fromRaw(head.rawHeaders) };
    const hook = opts.onProxyConnectResponse;
    if (hook !== null) {
      try {
        await hook(new URL(proxy.href), { method: req.method, target, headers: req.headers.clone() }, res);
      } catch (err) {
        const why = String((err as Error)?.message ?? err);
        throw new ProxyError(`onProxyConnectResponse refused the CONNECT to ${target} through ${proxy.display} (${status}): ${why}`, head.statusCode, { cause: err, headers: res.headers });
      }
    }
    if (head.statusCode < 200 || head.statusCode >= 300) {
      throw new ProxyError(`proxy ${proxy.display} refused CONNECT to ${target}: ${status}`, head.statusCode, { headers: res.headers });
    }
    answer.handOver();
  } catch (err) {
    answer?.stop();
    socket.destroy();
    throw err;
  }
}

/**
 * The proxy's answer on the socket: `head` settles once its head is in (a refusal's body is not
 * needed) or the socket fails first. Until handOver() or stop() it keeps listening, so bytes the
 * target sends while onProxyConnectResponse runs are kept for whoever reads the tunnel next.
 */
class ConnectAnswer {
  readonly head: Promise<ResponseHead>;
  #got: ResponseHead | null = null;
  #rest: Buffer[] = [];
  #failure: HttpoolError | null = null;
  #settle!: (head: ResponseHead | null, err: HttpoolError | null) => void;
  readonly #parser: ResponseParser;

  constructor(
    readonly socket: Duplex,
    readonly proxy: ProxyTarget,
    readonly target: string,
    maxHeaderBytes: number,
  ) {
    this.head = new Promise<ResponseHead>((resolve, reject) => {
      this.#settle = (head, err) => (err !== null ? reject(err) : resolve(head!));
    });
    this.#parser = new ResponseParser(
      {
        onInformational: () => {},
        onHead: (h) => (this.#got = h),
        onBody: () => {},
        onComplete: () => {},
        onUpgradeBytes: (b) => this.#rest.push(Buffer.from(b)),
      },
      { maxHeaderBytes },
    );
    this.#parser.expect('CONNECT');
    socket.on('data', this.#onData);
    socket.on('close', this.#onClose);
    socket.on('error', this.#onError);
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.#failure !== null) return;
    const got = this.#got;
    if (got !== null) {
      // Past a 2xx head the bytes are the target's; past a refusal's, its body, which nobody reads.
      if (got.statusCode >= 200 && got.statusCode < 300) this.#rest.push(chunk);
      return;
    }
    try {
      this.#parser.feed(chunk);
    } catch (err) {
      // A refusal whose body is malformed is still a refusal: its head is what counts.
      if (this.#got !== null) return void this.#settle(this.#got, null);
      this.#fail(
        err instanceof HttpoolError
          ? new ProxyError(`proxy ${this.proxy.display} answered CONNECT with a malformed response: ${err.message}`, 0, { cause: err })
          : new ConnectError('ERR_PROXY', String(err)),
      );
      return;
    }
    if (this.#got !== null) this.#settle(this.#got, null);
  };

  readonly #onClose = (): void => this.#fail(new ProxyError(`proxy ${this.proxy.display} closed the connection during CONNECT to ${this.target}`, 0));

  readonly #onError = (err: Error): void =>
    this.#fail(new ProxyError(`proxy ${this.proxy.display} failed during CONNECT: ${err.message}`, 0, { cause: err }));

  #fail(err: HttpoolError): void {
    if (this.#failure !== null) return;
    this.#failure = err;
    this.#settle(null, err); // no-op once the head has settled it
  }

  /** The tunnel is the caller's: what the target already sent is put back for its next reader. */
  handOver(): void {
    this.stop();
    if (this.#failure !== null) throw this.#failure; // the proxy went away while the hook ran
    for (let i = this.#rest.length - 1; i >= 0; i--) this.socket.unshift(this.#rest[i]!);
  }

  stop(): void {
    this.socket.removeListener('data', this.#onData);
    this.socket.removeListener('close', this.#onClose);
    this.socket.removeListener('error', this.#onError);
  }
}
