// Attribute values by OpenTelemetry's HTTP semantic conventions (v1.45.0, the HTTP client span
// and metrics pages): the request method as the conventions name it, the URL with credentials
// and signed-URL secrets redacted, the server's address and port, the protocol version and the
// error type. Pure functions of httpool's Request, Response and errors.

import type { Attributes } from '@opentelemetry/api';
import { HttpoolError } from '../errors.js';
import type { Request } from '../request.js';

/** The conventions' default known methods (RFC 9110, RFC 5789's PATCH, the QUERY draft), matched case-sensitively. */
export const DEFAULT_KNOWN_METHODS: readonly string[] = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE'];

/**
 * The known methods: the config's list, else OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS (comma
 * separated), else the default. Either is a full override, as the conventions require.
 */
export function knownMethods(configured: readonly string[] | undefined, env: string | undefined): ReadonlySet<string> {
  if (configured !== undefined) return new Set(configured);
  if (env !== undefined) return new Set(env.split(',').map((m) => m.trim()).filter((m) => m !== ''));
  return new Set(DEFAULT_KNOWN_METHODS);
}

/** Query keys whose values the conventions say to redact in url.full (signed-URL secrets), matched case-sensitively. */
const SECRET_QUERY_KEYS = ['X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token', 'AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature'];

/** `http.request.method`, `_OTHER` for a method outside the known set (then the original beside it). */
export function methodAttributes(method: string, known: ReadonlySet<string>, into: Attributes): void {
  if (known.has(method)) {
    into['http.request.method'] = method;
  } else {
    into['http.request.method'] = '_OTHER';
    into['http.request.method_original'] = method;
  }
}

/** The span name: the method, or `HTTP` when it is `_OTHER` (no url.template is known). */
export function spanName(method: string, known: ReadonlySet<string>): string {
  return known.has(method) ? method : 'HTTP';
}

/**
 * The attributes every request metric and its span share: method, `server.address`,
 * `server.port` (the default port when the URL has none) and `url.scheme`.
 */
export function requestAttributes(req: Request, known: ReadonlySet<string>): Attributes {
  const parts = req._parts;
  const scheme = parts.protocol === 'https:' ? 'https' : 'http';
  const hostname = parts.hostname.startsWith('[') ? parts.hostname.slice(1, -1) : parts.hostname;
  const out: Attributes = {};
  methodAttributes(req.method, known, out);
  out['server.address'] = hostname;
  out['server.port'] = parts.port === '' ? (scheme === 'https' ? 443 : 80) : Number(parts.port);
  out['url.scheme'] = scheme;
  return out;
}

/**
 * `url.full`: the absolute URL (its fragment too: the conventions keep one that is known though
 * it is never sent), a user name and password replaced by `REDACTED` (credentials must not be
 * recorded), and the values of the signed-URL query keys replaced by `REDACTED`.
 */
export function fullUrl(req: Request): string {
  const parts = req._parts;
  const href = parts.href;
  if (parts.username === '' && parts.password === '' && !hasSecretQuery(parts.target)) return href;
  const url = new URL(href);
  if (url.username !== '' || url.password !== '') {
    url.username = 'REDACTED';
    url.password = 'REDACTED';
  }
  if (url.search !== '') url.search = redactQuery(url.search);
  return url.href;
}

/**
 * The query with each secret key's value replaced, everything else byte for byte (URLSearchParams
 * would re-encode the rest: `a=b c` comes back as `a=b+c`).
 */
function redactQuery(search: string): string {
  return (
    '?' +
    search
      .slice(1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const key = eq < 0 ? pair : pair.slice(0, eq);
        return eq >= 0 && SECRET_QUERY_KEYS.includes(key) ? `${key}=REDACTED` : pair;
      })
      .join('&')
  );
}

function hasSecretQuery(target: string): boolean {
  const q = target.indexOf('?');
  if (q < 0) return false;
  for (const key of SECRET_QUERY_KEYS) if (target.includes(`${key}=`, q)) return true;
  return false;
}

/** `network.protocol.version` from a response's proto: "1.1", "1.0" or "2". */
export function protocolVersion(proto: string): string {
  if (proto === 'HTTP/2.0' || proto === 'HTTP/2') return '2';
  return proto.startsWith('HTTP/') ? proto.slice(5) : proto;
}

/**
 * `error.type` for a failure: httpool's stable error code (`ERR_TIMEOUT`, `ERR_CONNECT`…), low
 * in cardinality as the conventions ask; else the error's class name; else `_OTHER`.
 */
export function errorType(err: unknown): string {
  if (err instanceof HttpoolError) return err.code;
  if (err instanceof Error && err.name !== '') return err.name;
  return '_OTHER';
}

/** `http.request.header.<name>` / `http.response.header.<name>`: each listed field's values, as an array. */
export function headerAttributes(prefix: string, names: readonly string[], get: (name: string) => string[], into: Attributes): void {
  for (const name of names) {
    const values = get(name);
    if (values.length > 0) into[`${prefix}.${name.toLowerCase()}`] = values;
  }
}
