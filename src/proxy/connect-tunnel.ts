// CONNECT through an HTTP(S) proxy: ask for a tunnel to the target and read the proxy's answer
// with the same parser as any response. Anything but a 2xx is a ProxyError carrying the status,
// and the socket is destroyed: no byte of the request ever goes through a refused tunnel.

import type { Duplex } from 'node:stream';
import { ConnectError, HttpoolError, ProxyError } from '../errors.js';
import { ResponseParser } from '../h1/parse.js';
import type { ResponseHead } from '../h1/types.js';
import type { PoolKey } from '../transport/key.js';
import type { ProxyTarget } from './proxy-url.js';

export function connectTunnel(socket: Duplex, key: PoolKey, proxy: ProxyTarget, maxHeaderBytes: number, userAgent: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let head: ResponseHead | null = null;
    let rest: Buffer | null = null;
    let settled = false;
    const finish = (err: HttpoolError | null): void => {
      if (settled) return;
      settled = true;
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      socket.removeListener('error', onError);
      if (err !== null) {
        socket.destroy();
        reject(err);
        return;
      }
      if (rest !== null && rest.length > 0) socket.unshift(rest);
      resolve();
    };
    const parser = new ResponseParser(
      {
        onInformational: () => {},
        onHead: (h) => (head = h),
        onBody: () => {},
        onComplete: () => {
          if (head === null) return;
          if (head.statusCode >= 200 && head.statusCode < 300) {
            finish(null);
          } else {
            const status = `${head.statusCode}${head.reason ? ` ${head.reason}` : ''}`;
            finish(new ProxyError(`proxy ${proxy.display} refused CONNECT to ${key.targetHostPort}: ${status}`, head.statusCode));
          }
        },
        onUpgradeBytes: (b) => (rest = Buffer.from(b)),
      },
      { maxHeaderBytes },
    );
    const onData = (chunk: Buffer): void => {
      try {
        parser.feed(chunk);
        // A refusal with a body: the status is known once the head is in; the body is not needed.
        if (!settled && head !== null && (head.statusCode < 200 || head.statusCode >= 300)) {
          const status = `${head.statusCode}${head.reason ? ` ${head.reason}` : ''}`;
          finish(new ProxyError(`proxy ${proxy.display} refused CONNECT to ${key.targetHostPort}: ${status}`, head.statusCode));
        }
      } catch (err) {
        finish(
          err instanceof HttpoolError
            ? new ProxyError(`proxy ${proxy.display} answered CONNECT with a malformed response: ${err.message}`, 0, { cause: err })
            : new ConnectError('ERR_PROXY', String(err)),
        );
      }
    };
    const onClose = (): void =>
      finish(new ProxyError(`proxy ${proxy.display} closed the connection during CONNECT to ${key.targetHostPort}`, 0));
    const onError = (err: Error): void =>
      finish(new ProxyError(`proxy ${proxy.display} failed during CONNECT: ${err.message}`, 0, { cause: err }));
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
    parser.expect('CONNECT');
    const auth = proxy.authorization === null ? '' : `Proxy-Authorization: ${proxy.authorization}\r\n`;
    socket.write(
      `CONNECT ${key.targetHostPort} HTTP/1.1\r\nHost: ${key.targetHostPort}\r\nUser-Agent: ${userAgent}\r\n${auth}\r\n`,
      'latin1',
    );
  });
}
