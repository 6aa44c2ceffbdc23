// What the request path needs of a URL (scheme, host, target, credentials), taken from one real
// WHATWG parse per distinct URL string and kept: a client calling the same URLs again and again
// parses each once, not once per request, and a Request builds its URL object only when
// someone asks for it (request.ts). The parts are always those of `new URL(input)`, so nothing
// here interprets a URL differently from the URL class.

import { InvalidRequestError, redactText } from './errors.js';

export interface UrlParts {
  /** The serialized URL (`new URL(href)` gives the same URL back). */
  readonly href: string;
  readonly protocol: string;
  /** host[:port] as the URL has it (no default port). */
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  /** The origin-form request target: path (at least "/") and query, no fragment. */
  readonly target: string;
  readonly username: string;
  readonly password: string;
}

// WHATWG URL parsing silently strips tabs and newlines; refuse them before it can.
const URL_FORBIDDEN = /[\r\n\0\t]/;

/** Distinct URL strings remembered; past this the oldest is forgotten (a crawler must not grow it forever). */
const MAX_REMEMBERED = 4096;
const remembered = new Map<string, UrlParts>();

export function partsOf(url: URL): UrlParts {
  return {
    href: url.href,
    protocol: url.protocol,
    host: url.host,
    hostname: url.hostname,
    port: url.port,
    target: `${url.pathname || '/'}${url.search}`,
    username: url.username,
    password: url.password,
  };
}

/** The parts of a URL string, parsed and checked on first sight; ERR_INVALID_URL when it is not one. */
export function parseUrlParts(input: string): UrlParts {
  const known = remembered.get(input);
  if (known !== undefined) return known;
  const parts = partsOf(parseUrl(input));
  // Past the bound the oldest goes: the cache stays full, never empty and refilled.
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  remembered.set(input, parts);
  return parts;
}

/** A URL object for a string or URL, refusing what WHATWG parsing would quietly repair. */
export function parseUrl(url: string | URL): URL {
  if (url instanceof URL) return url;
  if (typeof url !== 'string') {
    throw new InvalidRequestError('ERR_INVALID_URL', `invalid URL: expected a string or URL, got ${typeof url}`);
  }
  if (URL_FORBIDDEN.test(url)) {
    throw new InvalidRequestError('ERR_INVALID_URL', `invalid URL ${JSON.stringify(redactText(url))}: contains CR, LF, TAB or NUL`);
  }
  try {
    return new URL(url);
  } catch (cause) {
    throw new InvalidRequestError('ERR_INVALID_URL', `invalid URL ${JSON.stringify(redactText(url))}`, { cause });
  }
}
