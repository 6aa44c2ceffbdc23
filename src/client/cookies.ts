// The cookie jar (policy layer, next to the Client): RFC 6265 storage and matching by
// tough-cookie behind the CookieJarLike interface the Client calls (jar.ts). Go's counterpart is
// net/http/cookiejar with a PublicSuffixList; the settings below follow what browsers do where
// Go and browsers differ, and each is pinned in test/cookies.test.ts.
//
// - Public suffixes are refused: `Domain=com` or `Domain=co.uk` is dropped (RFC 6265 §5.3
//   step 5; Go: cookiejar.Jar with a PublicSuffixList).
// - Loopback works: http://localhost:PORT, http://127.0.0.1:PORT and http://[::1]:PORT keep
//   host-only cookies like any host. Cookies ignore ports (RFC 6265 §8.5), so a cookie from one
//   local port is sent to every other port on the same host name; 127.0.0.1 and localhost are
//   different hosts.
// - Secure cookies: stored only when set over https or from a loopback host, and sent only over
//   https or to a loopback host (the "potentially trustworthy" origins of W3C Secure Contexts,
//   as Chrome and Firefox treat http://localhost; RFC 6265bis §5.7 step 13 for storage). Go's
//   cookiejar instead stores them from http and sends them over https only.
// - __Secure- and __Host- prefixed cookies that break their rules are dropped silently (RFC
//   6265bis §4.1.3), as browsers do.
// - SameSite is not enforced: this is an HTTP client, not a browser with a "site for cookies".
// - Max-Age counts from when the cookie was received (RFC 6265 §5.2.2; Go's cookiejar turns it
//   into Expires on receipt). tough-cookie alone counts it from the last time the cookie was
//   sent, so a cookie in use would never expire; setCookie converts it to Expires first.

import { Cookie, CookieJar as ToughJar } from 'tough-cookie';
import type { CookieJarLike } from './jar.js';

/** A cookie the jar would send to a URL. */
export interface JarCookie {
  readonly name: string;
  readonly value: string;
  /** The host (host-only cookies) or the Domain attribute's domain. */
  readonly domain: string;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** When it expires; null for a session cookie. */
  readonly expires: Date | null;
}

/** An in-memory RFC 6265 cookie jar for `new Client({ jar: new CookieJar() })`. */
export class CookieJar implements CookieJarLike {
  readonly #jar = newToughJar();

  /** The Cookie header value for a request to `url` ("" when no cookie matches). */
  getCookieString(url: string | URL): Promise<string> {
    return this.#jar.getCookieString(String(url));
  }

  /**
   * Stores one Set-Cookie value received from `url`. Resolves true when stored, false when the
   * cookie is refused (unparsable, a public-suffix or foreign Domain, Secure from an insecure
   * origin, a broken prefix), the way a browser ignores it.
   */
  async setCookie(setCookie: string, url: string | URL): Promise<boolean> {
    const cookie = Cookie.parse(setCookie, { loose: false });
    if (cookie === undefined) return false;
    expireFromReceipt(cookie, Date.now());
    const stored = await this.#jar.setCookie(cookie, String(url), { ignoreError: true });
    return stored !== undefined;
  }

  /** The cookies that would be sent to `url`, in Cookie-header order. */
  async getCookies(url: string | URL): Promise<JarCookie[]> {
    const found = await this.#jar.getCookies(String(url));
    return found.map((c) => ({
      name: c.key,
      value: c.value,
      domain: c.domain ?? '',
      path: c.path ?? '/',
      secure: c.secure,
      httpOnly: c.httpOnly,
      expires: c.expires instanceof Date ? c.expires : null,
    }));
  }

  /** Forgets every cookie. */
  async clear(): Promise<void> {
    await this.#jar.removeAllCookies();
  }
}

/** Max-Age as an absolute Expires from `now` (RFC 6265 §5.2.2; Max-Age wins over Expires, §5.3 step 3). */
function expireFromReceipt(cookie: Cookie, now: number): void {
  const maxAge = cookie.maxAge;
  if (typeof maxAge !== 'number') return;
  // Dates end at ±8.64e15 ms (ECMA-262 §21.4.1.1); a larger Max-Age means "never" in practice.
  const at = maxAge <= 0 ? 0 : Math.min(now + maxAge * 1000, 8.64e15);
  cookie.expires = new Date(at);
  cookie.maxAge = null;
}

function newToughJar(): ToughJar {
  // Each option spelled out, though most are tough-cookie 6's defaults, so an upgrade that
  // changes a default cannot silently change the jar.
  return new ToughJar(undefined, {
    rejectPublicSuffixes: true,
    // `localhost` is an RFC 6761 special-use name; without this a Domain=localhost cookie is refused.
    allowSpecialUseDomain: true,
    allowSecureOnLocal: true,
    enforceSecureOriginOnStorage: true,
    prefixSecurity: 'silent',
    looseMode: false,
  });
}
