// The Client's view of a cookie jar: read before each hop, written after each response
// (redirects included). The RFC 6265 jar itself (tough-cookie) is in cookies.ts.

import type { Request } from '../request.js';
import type { Response } from '../response.js';

export interface CookieJarLike {
  /** The Cookie header value for a URL ("" when none). */
  getCookieString(url: string): Promise<string> | string;
  /** Stores one Set-Cookie value received from a URL. */
  setCookie(setCookie: string, url: string): Promise<unknown> | unknown;
}

export async function applyCookies(jar: CookieJarLike, req: Request): Promise<Request> {
  const cookie = await jar.getCookieString(req._parts.href);
  if (cookie === '') return req;
  const headers = req.headers.clone();
  const own = headers.get('cookie');
  headers.set('Cookie', own === null ? cookie : `${own}; ${cookie}`);
  return req.with({ headers });
}

export async function storeCookies(jar: CookieJarLike, res: Response): Promise<void> {
  for (const value of res.headers.values('set-cookie')) {
    try {
      await jar.setCookie(value, res.request._parts.href);
    } catch {
      // A cookie the jar refuses (bad domain, public suffix) is dropped, as browsers do.
    }
  }
}
