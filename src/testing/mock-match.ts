// What a MockTransport expectation matches (mock-expectation.ts holds the expectation itself):
// the match fields, the recorded call they are checked against, and the words a mismatch is
// reported in (ERR_NO_MOCK names the closest expectations and why each missed).

import { HttpoolError } from '../errors.js';
import type { Headers } from '../headers.js';
import type { Request } from '../request.js';
import type { MockExpectation } from './mock-expectation.js';

/** Which requests an expectation answers. Every field is optional; a field left out matches anything. */
export interface MockMatch {
  /** The method, exactly as sent ('GET', 'POST'…; methods are case-sensitive). */
  method?: string;
  /** scheme://host[:port], e.g. 'http://api.test' (a default port may be left out; a path is ignored). */
  origin?: string | URL;
  /**
   * A string is the exact path ('/users/1'), or path and query when it contains '?'
   * ('/search?q=x'). A RegExp matches when it matches the path, or the path and query.
   */
  path?: string | RegExp;
  /** Each listed parameter must have exactly these values (in order); unlisted ones may be present. */
  query?: Record<string, string | readonly string[]> | URLSearchParams;
  /** Each listed header must be present; a string equals its value (or one of them), a RegExp matches them joined by ', '. Names are case-insensitive. */
  headers?: Record<string, string | RegExp>;
  /** The request body as UTF-8 text: equal to a string, matched by a RegExp, or accepted by a function. No body reads as ''. */
  body?: string | RegExp | ((text: string) => boolean);
}

/** A request the MockTransport saw, its body read (once: a stream body is consumed by the mock). */
export interface MockCall {
  readonly request: Request;
  readonly method: string;
  /** The URL's href. */
  readonly url: string;
  /** The request's headers, with the Content-Type its body implies when it set none (as the Transport would send). */
  readonly headers: Headers;
  /** The body's bytes, or null when the request had none. */
  readonly bytes: Uint8Array | null;
  /** The body as UTF-8 text, or null when the request had none. */
  readonly text: string | null;
  /** The expectation that answered; null when none did (ERR_NO_MOCK, or passed through). */
  readonly expectation: MockExpectation | null;
  /** The request went to the passthrough RoundTripper. */
  readonly passthrough: boolean;
}

/** Why `call` does not match `m` (whose origin, normalized, is `origin`), field by field; empty when it matches. */
export function mismatches(m: Readonly<MockMatch>, origin: string | null, call: MockCall, url: URL): string[] {
  const out: string[] = [];
  if (m.method !== undefined && m.method !== call.method) out.push(`method ${call.method} is not ${m.method}`);
  if (origin !== null && origin !== url.origin) out.push(`origin ${url.origin} is not ${origin}`);
  if (m.path !== undefined) {
    const path = url.pathname;
    const full = path + url.search;
    const ok = typeof m.path === 'string' ? (m.path.includes('?') ? full === m.path : path === m.path) : test(m.path, path) || test(m.path, full);
    if (!ok) out.push(`path ${JSON.stringify(typeof m.path === 'string' && m.path.includes('?') ? full : path)} does not match ${describeValue(m.path)}`);
  }
  if (m.query !== undefined) {
    for (const [name, want] of queryEntries(m.query)) {
      const got = url.searchParams.getAll(name);
      if (got.length !== want.length || got.some((v, i) => v !== want[i])) {
        out.push(`query ${name}=${got.length === 0 ? '(absent)' : JSON.stringify(got.length === 1 ? got[0] : got)} is not ${JSON.stringify(want.length === 1 ? want[0] : want)}`);
      }
    }
  }
  if (m.headers !== undefined) {
    for (const name of Object.keys(m.headers)) {
      const want = m.headers[name]!;
      const got = call.headers.values(name);
      const joined = got.join(', ');
      const ok = got.length > 0 && (typeof want === 'string' ? joined === want || got.includes(want) : test(want, joined));
      if (!ok) out.push(`header ${name}: ${got.length === 0 ? '(absent)' : JSON.stringify(joined)} does not match ${describeValue(want)}`);
    }
  }
  if (m.body !== undefined) {
    const text = call.text ?? '';
    let ok: boolean;
    let why = '';
    if (typeof m.body === 'function') {
      try {
        ok = m.body(text) === true;
      } catch (err) {
        ok = false;
        why = ` (the body function threw: ${(err as Error)?.message ?? String(err)})`;
      }
    } else {
      ok = typeof m.body === 'string' ? text === m.body : test(m.body, text);
    }
    if (!ok) out.push(`body ${call.text === null ? '(none)' : JSON.stringify(clip(text))} does not match ${describeValue(m.body)}${why}`);
  }
  return out;
}

export function invalid(message: string): HttpoolError {
  return new HttpoolError('ERR_INVALID_OPTION', `MockTransport: ${message}`);
}

export function originOf(origin: string | URL): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch (cause) {
    throw new HttpoolError('ERR_INVALID_OPTION', `MockTransport: origin ${JSON.stringify(String(origin))} is not a URL (e.g. 'http://api.test')`, { cause });
  }
  return url.origin;
}

function queryEntries(q: Record<string, string | readonly string[]> | URLSearchParams): [string, readonly string[]][] {
  if (q instanceof URLSearchParams) return [...new Set(q.keys())].map((k) => [k, q.getAll(k)]);
  return Object.keys(q).map((k) => {
    const v = q[k]!;
    return [k, typeof v === 'string' ? [v] : v];
  });
}

/** RegExp.test without the lastIndex state a /g or /y pattern would carry between requests. */
export function test(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

export const FIELDS = ['method', 'origin', 'path', 'query', 'headers', 'body'] as const;

export function describeMatch(m: MockMatch): string {
  const parts: string[] = [];
  for (const key of FIELDS) {
    const v = m[key];
    if (v !== undefined) parts.push(`${key}: ${describeValue(v)}`);
  }
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}

function describeValue(v: unknown): string {
  if (v instanceof RegExp) return String(v);
  if (typeof v === 'function') return '(function)';
  if (v instanceof URL) return JSON.stringify(v.href);
  if (v instanceof URLSearchParams) return JSON.stringify(v.toString());
  if (Array.isArray(v)) return `[${v.map(describeValue).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${describeValue(x)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(v);
}

export function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
