// Go's redirect rules (net/http/client.go: redirectBehavior, shouldCopyHeaderOnRedirect,
// refererForURL). The Client asks this file what the next hop is; nothing here touches a
// connection.

import { RedirectError } from '../errors.js';
import { Headers } from '../headers.js';
import { Request } from '../request.js';
import type { Response } from '../response.js';

/** Return this from checkRedirect to get the 3xx response itself instead of following it. */
export const useLastResponse: unique symbol = Symbol('httpool.useLastResponse');

/**
 * Called before each redirect with the request about to be sent and the requests made so
 * far, oldest first. Throw to stop with that error; return useLastResponse to stop and
 * return the 3xx response.
 */
export type CheckRedirect = (req: Request, via: readonly Request[]) => void | typeof useLastResponse;

export const defaultCheckRedirect: CheckRedirect = (_req, via) => {
  if (via.length >= 10) {
    throw new RedirectError('ERR_TOO_MANY_REDIRECTS', 'stopped after 10 redirects');
  }
};

const SENSITIVE = ['authorization', 'www-authenticate', 'cookie', 'cookie2', 'proxy-authorization'];

/** The next request for a redirect response, or null when the response is final. */
export function nextHop(first: Request, prev: Request, res: Response): Request | null {
  const code = res.statusCode;
  let method = prev.method;
  let keepBody: boolean;
  if (code === 301 || code === 302 || code === 303) {
    // RFC 9110 §15.4: user agents change POST to GET here; Go changes every method but HEAD.
    if (method !== 'GET' && method !== 'HEAD') method = 'GET';
    keepBody = false;
  } else if (code === 307 || code === 308) {
    keepBody = true;
    // A body that cannot be produced again cannot follow: the 3xx is the answer (Go does the same).
    if (prev.body !== null && !prev.body.replayable) return null;
  } else {
    return null;
  }
  const location = res.headers.get('location');
  if (location === null || location === '') return null;
  let url: URL;
  try {
    url = new URL(location, prev.url);
  } catch (cause) {
    throw new RedirectError('ERR_INVALID_URL', `failed to parse Location header ${JSON.stringify(location)}`, { cause });
  }
  const headers = new Headers();
  for (const [name, value] of first.headers) {
    const lower = name.toLowerCase();
    if (!keepBody && (lower === 'content-type' || lower === 'content-length')) continue;
    if (SENSITIVE.includes(lower) && !sameOrSubdomain(first.url, url)) continue;
    if (lower === 'referer') continue;
    headers.append(name, value);
  }
  const referer = refererFor(prev.url, url);
  if (referer !== null) headers.set('Referer', referer);
  return new Request(method, url, {
    headers,
    body: keepBody ? prev.body : null,
    signal: prev.signal,
    trace: prev.trace,
  });
}

/** Go's shouldCopyHeaderOnRedirect: the same host, or a subdomain of the first request's host. */
function sameOrSubdomain(first: URL, dest: URL): boolean {
  const a = first.hostname.toLowerCase();
  const b = dest.hostname.toLowerCase();
  if (a === b) return true;
  return b.endsWith(`.${a}`) && !isIp(a);
}

function isIp(h: string): boolean {
  return /^[\d.]+$/.test(h) || h.startsWith('[');
}

/** Referer without userinfo or fragment, and never from https to http. */
function refererFor(last: URL, next: URL): string | null {
  if (last.protocol === 'https:' && next.protocol === 'http:') return null;
  const u = new URL(last.href);
  u.username = '';
  u.password = '';
  u.hash = '';
  return u.href;
}
