// Redirect policy (client layer): Go's rules from net/http/client.go (Client.do,
// redirectBehavior, makeHeadersCopier, shouldCopyHeaderOnRedirect, isDomainOrSubdomain,
// refererForURL, defaultCheckRedirect) as current Go has them, including the fixes for
// CVE-2024-45336 (go1.22.11/go1.23.5: a dropped credential stays dropped for the rest of the
// chain) and CVE-2025-4673 (Proxy-Authorization and Proxy-Authenticate are credentials too).
// Deliberate differences are marked "Unlike Go". The Client asks this file what the next hop
// is; nothing here touches a connection.

import { RedirectError, redactUrl } from '../errors.js';
import { Headers } from '../headers.js';
import { Request } from '../request.js';
import type { Response } from '../response.js';
import { decodeLocation } from './location.js';

/** Return this from checkRedirect to get the 3xx response itself instead of following it. */
export const useLastResponse: unique symbol = Symbol('httpool.useLastResponse');

/**
 * Called before each redirect with the request about to be sent and the requests made so
 * far, oldest first. Throw to stop with that error; return useLastResponse to stop and
 * return the 3xx response.
 */
export type CheckRedirect = (req: Request, via: readonly Request[]) => void | typeof useLastResponse;

/** Go's defaultCheckRedirect: the 11th request is refused, so 10 redirects at most are received. */
export const defaultCheckRedirect: CheckRedirect = (_req, via) => {
  if (via.length >= 10) {
    throw new RedirectError('ERR_TOO_MANY_REDIRECTS', 'stopped after 10 redirects');
  }
};

/** What the Client knows that changes a hop. */
export interface RedirectOptions {
  /** The Client has a cookie jar (Go: c.Jar != nil). */
  jar?: boolean;
}

// Credentials: never copied once the chain has left the first request's domain
// (makeHeadersCopier's `sensitive` list; Proxy-* since CVE-2025-4673).
const SENSITIVE = new Set(['authorization', 'www-authenticate', 'cookie', 'cookie2', 'proxy-authorization', 'proxy-authenticate']);

// Headers that describe a body: not copied once the body is dropped (makeHeadersCopier's
// stripBodyHeaders list, the WHATWG Fetch "request-body-header names"), plus the framing fields,
// which would declare a body that is not sent (RFC 9112 §6).
const BODY_HEADERS = new Set([
  'content-type',
  'content-encoding',
  'content-language',
  'content-location',
  'content-length',
  'transfer-encoding',
]);

/** What Go's Client.do keeps across hops in local variables. */
interface Chain {
  /** Go's stripSensitiveHeaders: once set, credentials stay dropped for the rest of the chain. */
  stripSensitive: boolean;
  /** Go's includeBody: once a 301/302/303 dropped the body, a later 307/308 does not bring it back. */
  includeBody: boolean;
  /** Go's icookies: the first request's own cookies by name, minus those a redirect response re-set. */
  cookies: Map<string, string[]> | null;
  /** The rewritten Cookie header once a redirect re-set one of them ("" = none left), else null. */
  cookieHeader: string | null;
}

// The chain state travels with the hop that nextHop built, so the Client only has to hand back
// the request it sent; the first request of a chain has no entry yet.
const chains = new WeakMap<Request, Chain>();

/**
 * The next request for a redirect response, or null when the response is the answer: not a
 * redirect, no Location, or a 307/308 whose body cannot be sent again (Go returns the 3xx in
 * all three cases). `first` is the chain's first request (Client defaults applied), `prev` the
 * request nextHop built for the hop that got `res` (or `first`), `opts` what the Client has.
 * Throws ERR_INVALID_URL, with the 3xx body closed, when Location cannot be parsed.
 */
export function nextHop(first: Request, prev: Request, res: Response, opts: RedirectOptions = {}): Request | null {
  const behavior = redirectBehavior(prev.method, res.statusCode);
  if (behavior === null) return null;
  const chain = chains.get(prev) ?? startChain(first, opts);
  const includeBody = chain.includeBody && behavior.includeBody;
  // Go sends ireq.GetBody() again: the body is always the first request's.
  const body = includeBody ? first.body : null;
  // Go (redirectBehavior) returns the 307/308 when the body has no GetBody. Unlike Go, which asks
  // this of the first request even after a 303 dropped its body, only a body that would be sent
  // counts: a bodiless GET after a 303 follows a later 307.
  if (body !== null && !body.replayable) return null;

  const location = res.headers.get('location');
  // Go: a 3xx without Location is returned as it is (issues 17773, 49281).
  if (location === null || location === '') return null;
  let url: URL;
  try {
    url = new URL(decodeLocation(location), prev.url);
  } catch (cause) {
    // Go (Client.do) closes the 3xx body and names the request that got it.
    void res.body.close();
    throw new RedirectError('ERR_INVALID_URL', `failed to parse Location header ${JSON.stringify(location)}`, {
      cause,
      method: prev.method,
      url: redactUrl(prev.url),
    });
  }

  const next: Chain = {
    // Go compares with reqs[0], the first request, and latches; the host:port test is Go's shortcut.
    stripSensitive:
      chain.stripSensitive || (first.url.host !== url.host && !shouldCopyHeaderOnRedirect(first.url, url)),
    includeBody,
    cookies: chain.cookies === null ? null : new Map(chain.cookies),
    cookieHeader: chain.cookieHeader,
  };
  forgetResetCookies(next, res);

  const req = new Request(behavior.method, url, {
    headers: copyHeaders(first, prev.url, url, next),
    body,
    signal: first.signal,
    trace: first.trace,
    host: redirectHost(prev, location, url),
  });
  chains.set(req, next);
  return req;
}

/**
 * The Host for the next hop (Go's Client.do): a Host the caller chose (the `host` field, or a
 * Host header on the first request) that differs from its URL's is kept only through a relative
 * Location (Go issue 22233: a server redirecting within the virtual host it was asked for);
 * any absolute Location sends the new URL's host. Unlike Go, which keeps it for every Location
 * without a scheme, a scheme-relative one ("//other.example/") to another host drops it too: the
 * caller's Host was meant for the server it chose, not for whichever one a redirect names.
 */
function redirectHost(prev: Request, location: string, next: URL): string | null {
  const host = prev.host ?? prev.headers.get('host');
  if (host === null || host === '' || host === prev.url.host) return null;
  if (HAS_SCHEME.test(location) || next.host !== prev.url.host) return null;
  return host;
}

/** A URL with a scheme (RFC 3986 §3.1), as Go's url.URL.IsAbs tells it. */
const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** Go's redirectBehavior: the method and whether the body goes along, or null for "not a redirect". */
function redirectBehavior(method: string, status: number): { method: string; includeBody: boolean } | null {
  switch (status) {
    case 301:
    case 302:
    case 303:
      // RFC 9110 §15.4.2-4 let 301/302 keep the method; Go turns every method but GET and HEAD
      // into GET for all three, as browsers do (Go issue 18570), and sends no body.
      return { method: method === 'GET' || method === 'HEAD' ? method : 'GET', includeBody: false };
    case 307:
    case 308:
      // RFC 9110 §15.4.8-9: the method and content must not change.
      return { method, includeBody: true };
    default:
      return null;
  }
}

function startChain(first: Request, opts: RedirectOptions): Chain {
  const header = first.headers.values('cookie').join('; ');
  // Go (makeHeadersCopier) tracks the caller's own cookies only when a jar may replace them.
  const cookies = opts.jar === true && header !== '' ? parseCookieHeader(header) : null;
  return { stripSensitive: false, includeBody: true, cookies, cookieHeader: null };
}

/**
 * Go's makeHeadersCopier with a jar: a cookie the caller set by hand and a redirect response
 * re-sets is no longer copied; the jar sends the new value (Go issue 17494).
 */
function forgetResetCookies(chain: Chain, res: Response): void {
  const own = chain.cookies;
  if (own === null) return;
  let changed = false;
  for (const line of res.headers.values('set-cookie')) {
    const name = setCookieName(line);
    if (name !== null && own.delete(name)) changed = true;
  }
  if (!changed) return;
  const pairs: string[] = [];
  for (const [name, values] of own) for (const v of values) pairs.push(`${name}=${v}`);
  pairs.sort(); // Go sorts them too: a deterministic header
  chain.cookieHeader = pairs.join('; ');
}

/** The first request's headers for the next hop (Go's makeHeadersCopier), then its Referer. */
function copyHeaders(first: Request, from: URL, to: URL, chain: Chain): Headers {
  const headers = new Headers();
  let cookieDone = false;
  for (const [name, value] of first.headers) {
    const lower = name.toLowerCase();
    // The Host travels as the next hop's `host` field, by Go's rule (redirectHost), never as a header.
    if (lower === 'host') continue;
    if (chain.stripSensitive && SENSITIVE.has(lower)) continue;
    if (!chain.includeBody && BODY_HEADERS.has(lower)) continue;
    if (lower === 'cookie' && chain.cookieHeader !== null) {
      // Rewritten by forgetResetCookies: one line in place of the caller's, or none.
      if (!cookieDone && chain.cookieHeader !== '') headers.append(name, chain.cookieHeader);
      cookieDone = true;
      continue;
    }
    headers.append(name, value);
  }
  // Go keeps a Referer the caller set (refererForURL's explicitRef) and otherwise names the
  // previous hop. Unlike Go, which lets the caller's Referer through on https → http, no Referer
  // goes from https to http at all (RFC 9110 §10.1.3).
  const referer = refererForURL(from, to);
  if (referer === null) headers.delete('referer');
  else if (!headers.has('referer')) headers.set('Referer', referer);
  return headers;
}

/**
 * Go's shouldCopyHeaderOnRedirect: may credentials set for `initial` go to `dest`? Yes for the
 * same host name or a subdomain of it; ports and schemes are not compared (current Go compares
 * url.Hostname(); Go before the CVE-2024-45336 rework compared host:port). WHATWG URLs are
 * already lower-case and punycoded, as Go's idnaASCII makes them.
 */
export function shouldCopyHeaderOnRedirect(initial: URL, dest: URL): boolean {
  return isDomainOrSubdomain(dest.hostname, initial.hostname);
}

/** Go's isDomainOrSubdomain, on canonical host names. */
function isDomainOrSubdomain(sub: string, parent: string): boolean {
  if (sub === parent) return true;
  // An IPv6 literal (or zone) is no one's subdomain: "[::1%.example.com]" must not match.
  if (sub.includes(':') || sub.includes('%')) return false;
  return sub.length > parent.length && sub.endsWith(parent) && sub[sub.length - parent.length - 1] === '.';
}

/**
 * Go's refererForURL: the previous hop's URL, or null on https → http (RFC 9110 §10.1.3: no
 * Referer in an unsecured request from a secure resource). RFC 9110 §10.1.3 also forbids the
 * userinfo and the fragment; unlike Go, which strips only the userinfo, both go.
 */
export function refererForURL(last: URL, next: URL): string | null {
  if (last.protocol === 'https:' && next.protocol === 'http:') return null;
  const u = new URL(last.href);
  u.username = '';
  u.password = '';
  u.hash = '';
  return u.href;
}

/** The cookie-name of a Set-Cookie line (RFC 6265 §5.2), or null when it has none. */
function setCookieName(line: string): string | null {
  const pair = line.split(';', 1)[0]!;
  const eq = pair.indexOf('=');
  if (eq < 0) return null;
  const name = pair.slice(0, eq).trim();
  return name === '' ? null : name;
}

/** A Cookie request header as name → values, in order. */
function parseCookieHeader(header: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim();
    const value = eq < 0 ? '' : p.slice(eq + 1).trim();
    const list = out.get(name);
    if (list === undefined) out.set(name, [value]);
    else list.push(value);
  }
  return out;
}
