// One request through any undici Dispatcher (a Pool or a Client), body read to the end: the
// same code for both undici rows, so they differ only in the dispatcher.

import type { Dispatcher } from 'undici';
import type { CallResult, ClientName, Target } from './client-common.js';
import { BODY_TYPE, badStatus } from './client-common.js';

export type UndiciCall = (d: Dispatcher) => Promise<CallResult>;

export function undiciCall(name: ClientName, target: Target): UndiciCall {
  const body = target.body;
  const opts: Dispatcher.RequestOptions =
    body === null
      ? { path: target.path, method: target.method }
      : { path: target.path, method: target.method, body, headers: { 'content-type': BODY_TYPE } };
  // Only connections that passed the ALPN check carry requests (bench/undici-connector.ts).
  const protocol = target.protocol;
  return async (d) => {
    const { statusCode, body: res } = await d.request(opts);
    if (statusCode !== 200) {
      await res.dump();
      throw badStatus(name, statusCode);
    }
    // Not res.dump(): past its 128 KiB limit it destroys the connection instead of reading.
    let bytes = 0;
    for await (const chunk of res) bytes += (chunk as Buffer).length;
    return { bytes, protocol };
  };
}
