// The CONNECT request httpool sends an HTTP(S) proxy to open a tunnel, as Go's dialConn builds
// its connectReq: the request line and Host name the target; then User-Agent, the caller's
// fields (the proxyConnectHeader option, or what getProxyConnectHeader returns for this proxy
// and target, Go's ProxyConnectHeader and GetProxyConnectHeader), and Proxy-Authorization from
// the proxy URL's credentials. Fields go through the HTTP/1.1 writer's checks (h1/write.ts), so
// no value can split the request.
//
// A caller's Proxy-Authorization replaces the URL's: it is the more specific choice, and it lets
// a proxy take another scheme (Bearer, Negotiate) on CONNECT than the Basic credentials its URL
// gives forward requests. Go does the opposite (hdr.Set from cm.proxyAuth() after the caller's).

import { InvalidRequestError, ProxyError } from '../errors.js';
import { requestHeadString, validateHeaderName, validateHeaderValue } from '../h1/write.js';
import { Headers, type HeadersInit } from '../headers.js';
import type { ProxyConnectRequest, ResolvedOptions } from '../transport/options.js';
import type { ProxyTarget } from './proxy-url.js';

/** Fields a CONNECT cannot carry from a caller: it names its target, and has no content (RFC 9110 §9.3.6). */
const REFUSED = new Set(['host', 'content-length', 'transfer-encoding']);

const NO_BODY = { kind: 'none' } as const;

/** Caller fields for CONNECT as a flat [name, value, …] list, each checked; throws ERR_INVALID_HEADER. */
export function connectFields(init: HeadersInit): string[] {
  if (typeof init !== 'object' || init === null) {
    throw new InvalidRequestError('ERR_INVALID_HEADER', `CONNECT fields must be headers (an object, pairs or a Headers), got ${init === null ? 'null' : typeof init}`);
  }
  const raw = [...new Headers(init).raw()];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    validateHeaderName(name);
    validateHeaderValue(name, raw[i + 1]!);
    if (REFUSED.has(name.toLowerCase())) {
      throw new InvalidRequestError('ERR_INVALID_HEADER', `header ${name} cannot be set on a CONNECT request: httpool sends the target as Host, and CONNECT has no body`);
    }
  }
  return raw;
}

export interface ConnectRequest extends ProxyConnectRequest {
  /** The request head, latin1, ready to write. */
  readonly head: string;
}

type TunnelHooks = Pick<ResolvedOptions, 'proxyConnectHeader' | 'getProxyConnectHeader'>;

/** The CONNECT to `target` through `proxy`, with the caller's fields for it (getProxyConnectHeader is awaited). */
export async function connectRequest(proxy: ProxyTarget, target: string, opts: TunnelHooks, userAgent: string): Promise<ConnectRequest> {
  const caller = opts.getProxyConnectHeader === null ? opts.proxyConnectHeader : await fromHook(opts.getProxyConnectHeader, proxy, target);
  let ownAgent = true;
  let ownAuth = proxy.authorization !== null;
  for (let i = 0; i < caller.length; i += 2) {
    const name = caller[i]!.toLowerCase();
    if (name === 'user-agent') ownAgent = false;
    else if (name === 'proxy-authorization') ownAuth = false;
  }
  const fields: string[] = ownAgent ? ['User-Agent', userAgent, ...caller] : [...caller];
  if (ownAuth) fields.push('Proxy-Authorization', proxy.authorization!);
  return { method: 'CONNECT', target, headers: Headers.fromRaw(fields), head: requestHeadString('CONNECT', target, target, fields, NO_BODY) };
}

async function fromHook(hook: NonNullable<TunnelHooks['getProxyConnectHeader']>, proxy: ProxyTarget, target: string): Promise<readonly string[]> {
  let init: HeadersInit | null;
  try {
    init = await hook(new URL(proxy.href), target);
  } catch (err) {
    throw new ProxyError(`getProxyConnectHeader failed for CONNECT to ${target} through ${proxy.display}: ${String((err as Error)?.message ?? err)}`, 0, { cause: err });
  }
  if (init === null || init === undefined) return [];
  try {
    return connectFields(init);
  } catch (err) {
    throw new InvalidRequestError('ERR_INVALID_HEADER', `getProxyConnectHeader returned a field CONNECT cannot carry: ${(err as Error).message}`, { cause: err });
  }
}
