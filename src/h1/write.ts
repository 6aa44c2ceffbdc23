// HTTP/1.1 request serialization (RFC 9112 §3, §6, §7.1): the head as one Buffer, and chunk
// framing for bodies of unknown length. Used by the connection (src/transport/conn.ts); the
// Client calls validateHeaderName/validateHeaderValue to refuse bad input before any I/O.
// Byte classes come from syntax.ts. Everything is checked before anything is produced, so a
// refused request writes nothing.
//
// JS strings are UTF-16 and the wire is octets. Method, target and host must be ASCII (they
// come from URL serialization); header values may use latin1 (0x80–0xFF is obs-text and goes
// out as that one byte) but a character above 0xFF is refused: we cannot know which bytes the
// caller meant (Go sends a string's bytes as-is; a JS string has no bytes).

import { InvalidRequestError } from '../errors.js';
import { TCHAR } from './syntax.js';
import type { BodyFraming } from './types.js';

function invalidHeader(message: string): InvalidRequestError {
  return new InvalidRequestError('ERR_INVALID_HEADER', message);
}

/** Throws ERR_INVALID_HEADER unless `name` is a non-empty token (RFC 9110 §5.1). */
export function validateHeaderName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw invalidHeader('header name is empty');
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0xff || TCHAR[c] === 0) {
      throw invalidHeader(`invalid header name ${JSON.stringify(name)}: character ${JSON.stringify(name[i])} is not allowed in a token`);
    }
  }
}

/**
 * Throws ERR_INVALID_HEADER if `value` could not be sent as field-value bytes (RFC 9110 §5.5):
 * CR, LF and NUL (request splitting), other controls except HTAB, DEL, or characters above 0xFF.
 */
export function validateHeaderValue(name: string, value: string): void {
  if (typeof value !== 'string') throw invalidHeader(`value of header ${name} is not a string`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
      const what = c === 0x0d ? 'CR' : c === 0x0a ? 'LF' : c === 0 ? 'NUL' : `control character 0x${c.toString(16).padStart(2, '0')}`;
      throw invalidHeader(`value of header ${name} contains ${what}`);
    }
    if (c > 0xff) {
      throw invalidHeader(
        `value of header ${name} contains ${JSON.stringify(value[i])} (U+${c.toString(16).toUpperCase().padStart(4, '0')}): ` +
          'only latin1 characters can be sent; percent-encode or otherwise encode the value',
      );
    }
  }
}

/**
 * Bytes a Host value may hold (Go's httpguts validHostByte: RFC 3986 reg-name, IP literals and
 * a port; '%' for pct-encoding and IPv6 zones).
 */
const HOST_BYTE = (() => {
  const t = new Uint8Array(128);
  for (const c of "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!$%&'()*+,-.:;=[]_~") t[c.charCodeAt(0)] = 1;
  return t;
})();

/**
 * Throws ERR_INVALID_HEADER unless `host` is a Host a caller may send (Go's Request.Host,
 * checked by httpguts.ValidHostHeader): `host[:port]` or `[ipv6][:port]` (RFC 9110 §7.2), from
 * Go's byte set, the port all digits. CR, LF, spaces and anything else that could end the field
 * or split the request are refused.
 */
export function validateHost(host: string): void {
  const bad = (why: string): InvalidRequestError => invalidHeader(`invalid Host ${JSON.stringify(host)}: ${why}`);
  if (typeof host !== 'string' || host.length === 0) throw bad('must be host[:port]');
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c >= 128 || HOST_BYTE[c] === 0) throw bad(`character ${JSON.stringify(host[i])} is not allowed`);
  }
  let portAt: number;
  if (host.charCodeAt(0) === 0x5b /* [ */) {
    const close = host.indexOf(']');
    if (close < 0 || host.indexOf('[', 1) >= 0 || host.indexOf(']', close + 1) >= 0) throw bad('unbalanced brackets');
    if (close + 1 < host.length && host.charCodeAt(close + 1) !== 0x3a) throw bad('only a port may follow an IP literal');
    portAt = close + 1 < host.length ? close + 2 : -1;
  } else {
    if (host.includes('[') || host.includes(']')) throw bad('brackets only enclose an IP literal');
    const colon = host.indexOf(':');
    if (colon === 0) throw bad('no host before the port');
    if (colon >= 0 && host.indexOf(':', colon + 1) >= 0) throw bad('an IPv6 address must be in brackets');
    portAt = colon >= 0 ? colon + 1 : -1;
  }
  if (portAt < 0) return;
  const port = host.slice(portAt);
  if (!/^\d{0,5}$/.test(port) || Number(port) > 65535) throw bad('the port must be a number up to 65535');
}

function validateMethod(method: string): void {
  let ok = typeof method === 'string' && method.length > 0;
  for (let i = 0; ok && i < method.length; i++) {
    const c = method.charCodeAt(i);
    ok = c < 0x80 && TCHAR[c] === 1;
  }
  if (!ok) throw new InvalidRequestError('ERR_INVALID_METHOD', `invalid method ${JSON.stringify(method)}: must be a token`);
}

/** Request-target and Host: visible ASCII only (no SP, controls, DEL or non-ASCII). */
function validateUrlPart(what: string, s: string): void {
  let ok = typeof s === 'string' && s.length > 0;
  for (let i = 0; ok && i < s.length; i++) {
    const c = s.charCodeAt(i);
    ok = c > 0x20 && c < 0x7f;
  }
  if (!ok) {
    throw new InvalidRequestError('ERR_INVALID_URL', `invalid ${what} ${JSON.stringify(s)}: must be non-empty visible ASCII`);
  }
}

/** 0 other, 1 Host (skipped: the writer sends its own), 2 framing (refused). */
function nameClass(name: string): 0 | 1 | 2 {
  switch (name.length) {
    case 4:
      return name.toLowerCase() === 'host' ? 1 : 0;
    case 14:
      return name.toLowerCase() === 'content-length' ? 2 : 0;
    case 17:
      return name.toLowerCase() === 'transfer-encoding' ? 2 : 0;
    default:
      return 0;
  }
}

/**
 * The request head: request line, Host, the caller's fields in order, the framing field, and
 * the blank line. `headers` is flat [name, value, …] and must not carry Content-Length or
 * Transfer-Encoding (framing is httpool's, from `framing`); a Host entry is skipped.
 */
export function writeRequestHead(
  method: string,
  target: string,
  host: string,
  headers: readonly string[],
  framing: BodyFraming,
): Buffer {
  return Buffer.from(requestHeadString(method, target, host, headers, framing), 'latin1');
}

/**
 * The same head as a latin1 string (every character is checked to be ≤ U+00FF). The
 * connection writes it as a string: Node copies it straight into the socket write, one
 * allocation fewer per request than a Buffer.
 */
export function requestHeadString(
  method: string,
  target: string,
  host: string,
  headers: readonly string[],
  framing: BodyFraming,
): string {
  validateMethod(method);
  validateUrlPart('request target', target);
  validateUrlPart('Host', host);
  if (headers.length % 2 !== 0) throw invalidHeader('header list has a name without a value');

  let head = method + ' ' + target + ' HTTP/1.1\r\nHost: ' + host + '\r\n';
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1]!;
    validateHeaderName(name);
    const cls = nameClass(name);
    if (cls === 1) continue;
    if (cls === 2) {
      throw invalidHeader(
        `header ${name} cannot be set: httpool sets the body framing (Content-Length or Transfer-Encoding) from the body`,
      );
    }
    validateHeaderValue(name, value);
    head += name + ': ' + value + '\r\n';
  }
  switch (framing.kind) {
    case 'length':
      if (!Number.isSafeInteger(framing.length) || framing.length < 0) {
        throw new InvalidRequestError('ERR_INVALID_BODY', `invalid body length ${framing.length}`);
      }
      head += 'Content-Length: ' + framing.length + '\r\n';
      break;
    case 'chunked':
      head += 'Transfer-Encoding: chunked\r\n';
      break;
    case 'none':
      break;
  }
  head += '\r\n';
  return head;
}

const CRLF = Buffer.from('\r\n', 'latin1');

/** The last-chunk and empty trailer section that end a chunked body (RFC 9112 §7.1). */
export const LAST_CHUNK: Buffer = Buffer.from('0\r\n\r\n', 'latin1');

/**
 * One chunk as [size line, data, CRLF]; the data is not copied. An empty chunk would read as
 * the last chunk, so it yields nothing.
 */
export function encodeChunk(chunk: Uint8Array): Buffer[] {
  if (chunk.byteLength === 0) return [];
  const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return [Buffer.from(chunk.byteLength.toString(16) + '\r\n', 'latin1'), data, CRLF];
}
