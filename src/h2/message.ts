// HTTP/2 messages as header lists (RFC 9113 §8): the request's list built from httpool's
// validated fields, and a response's list checked and split into status, length and fields.
// Pure: no sockets, no timers. The HPACK layer below hands over names and values as latin1
// strings and checks nothing of their syntax; what is malformed here is a stream error
// PROTOCOL_ERROR (§8.1.1), so only the one request fails and the connection carries on.

import { fieldNameError } from './hpack/fields.js';

/** Fields that belong to one HTTP/1.1 connection and are forbidden in HTTP/2 (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

/**
 * The request's header list, flat [name, value, …]: the four pseudo-header fields first
 * (§8.3.1, §8.3: they precede regular fields), then the caller's fields lowercased (§8.2.1),
 * without the connection-specific ones (§8.2.2) and with TE only as "trailers". Cookies stay
 * separate fields: §8.2.3 allows it, and HPACK indexes each crumb on its own.
 */
export function requestFieldList(method: string, scheme: string, authority: string, path: string, fields: readonly string[], contentLength: number): string[] {
  const out = [':method', method, ':scheme', scheme, ':authority', authority, ':path', path];
  for (let i = 0; i < fields.length; i += 2) {
    let name = fields[i]!;
    // Most callers' names are lowercase already: skip the copy when they are.
    if (hasUpper(name)) name = name.toLowerCase();
    const value = fields[i + 1]!;
    if (CONNECTION_SPECIFIC.has(name)) continue;
    if (name === 'te' && value.trim().toLowerCase() !== 'trailers') continue;
    if (name === 'content-length') continue; // framing decides it, below
    out.push(name, value);
  }
  if (contentLength >= 0) out.push('content-length', String(contentLength));
  return out;
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return true;
  }
  return false;
}

/** A header list's size as SETTINGS_MAX_HEADER_LIST_SIZE counts it (§6.5.2): octets of names and values, plus 32 per field. */
export function fieldListSize(list: readonly string[]): number {
  let size = 0;
  for (let i = 0; i < list.length; i++) size += list[i]!.length;
  return size + (list.length >> 1) * 32;
}

export interface ResponseFields {
  status: number;
  /** Regular fields, flat [name, value, …], pseudo-header fields removed. */
  fields: string[];
  /** content-length when present and valid, else -1. */
  contentLength: number;
}

/**
 * Checks a response's (or a 1xx's) header list (§8.3.2, §8.2) and splits it. Returns a
 * message saying what is malformed instead when it is: a missing, repeated or non-numeric
 * :status, another pseudo-header, one after a regular field, an uppercase or otherwise invalid
 * name, a connection-specific field, a TE field, or content-length fields that disagree.
 */
export function responseFields(list: readonly string[]): ResponseFields | string {
  let status = -1;
  let regular = false;
  let contentLength = -1;
  const fields: string[] = [];
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]!;
    const value = list[i + 1]!;
    if (name.charCodeAt(0) === 0x3a) {
      if (regular) return `pseudo-header field ${name} after a regular field (RFC 9113 §8.3)`;
      if (name !== ':status') return `pseudo-header field ${name} in a response (RFC 9113 §8.3.2)`;
      if (status !== -1) return 'two :status fields (RFC 9113 §8.3.2)';
      if (value.length !== 3 || !isDigits(value)) return `:status ${JSON.stringify(value)} is not three digits`;
      status = Number(value);
      continue;
    }
    regular = true;
    const bad = checkRegular(name, value);
    if (bad !== null) return bad;
    if (name === 'content-length') {
      // RFC 9110 §8.6: a list of identical values may be taken as one; anything else is malformed.
      const n = value.length > 0 && value.length <= 15 && isDigits(value) ? Number(value) : -2;
      if (n === -2 || (contentLength !== -1 && n !== contentLength)) return `content-length ${JSON.stringify(value)} is not valid (RFC 9113 §8.1.1)`;
      contentLength = n;
    }
    fields.push(name, trimmed(value));
  }
  if (status === -1) return 'no :status field (RFC 9113 §8.3.2)';
  return { status, fields, contentLength };
}

/** Checks trailers (§8.1: no pseudo-header fields) and returns the message for a malformed one, else null. */
export function trailerError(list: readonly string[]): string | null {
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]!;
    if (name.charCodeAt(0) === 0x3a) return `pseudo-header field ${name} in trailers (RFC 9113 §8.1)`;
    const bad = checkRegular(name, list[i + 1]!);
    if (bad !== null) return bad;
  }
  return null;
}

function checkRegular(name: string, value: string): string | null {
  const bad = fieldNameError(name);
  if (bad !== null) return bad;
  if (CONNECTION_SPECIFIC.has(name) && name !== 'host') return `connection-specific field ${name} (RFC 9113 §8.2.2)`;
  if (name === 'te') return 'a TE field in a response (RFC 9113 §8.2.2)';
  // §8.2.1: a value with NUL, CR or LF, or leading or trailing whitespace, is malformed.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) return `field ${name} has a NUL, CR or LF in its value (RFC 9113 §8.2.1)`;
  }
  return null;
}

/**
 * §8.2.1 calls a value with leading or trailing whitespace malformed; Go's client takes it and
 * HTTP/1.1 trims it as OWS, so a sloppy server's field is trimmed here rather than failing the
 * whole response.
 */
function trimmed(value: string): string {
  if (value.length === 0) return value;
  const a = value.charCodeAt(0);
  const z = value.charCodeAt(value.length - 1);
  return a === 0x20 || a === 0x09 || z === 0x20 || z === 0x09 ? value.replace(/^[ \t]+|[ \t]+$/g, '') : value;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
