// maxResponseHeaderBytes for HTTP/2. Go turns MaxResponseHeaderBytes into http2's
// MaxHeaderListSize: advertised as SETTINGS_MAX_HEADER_LIST_SIZE and checked on every header
// block, a block over it failing that stream only ("http2: response header list larger than
// advertised limit", x/net/http2 transport.go handleResponse). Sizes count as RFC 9113 §6.5.2
// says: each field's name and value octets plus 32, pseudo-fields included.
//
// node:http2 checks the setting itself, against the value the server has acknowledged (nghttp2's
// acknowledged local settings, read as each stream opens): a block over it resets that stream
// with ENHANCE_YOUR_CALM and the session carries on. A stream opened before the server's
// SETTINGS ACK gets no such limit from node (the default is unlimited), so the session's first
// responses are measured here instead; later ones cost nothing extra.
//
// node:http2's own ceilings come first whatever the limit: a header block HPACK-encoded over
// about 144 KiB (nghttp2 takes 8 CONTINUATION frames after HEADERS) fails the whole session
// ("Too many CONTINUATION frames"), and one field encoded over 64 KiB (nghttp2's
// NGHTTP2_HD_MAX_NV) makes nghttp2 end the session with COMPRESSION_ERROR, after which Node
// stops reading the socket without closing the session, so its streams wait for a timeout
// (nodejs/node#41582, still so in Node 20.20). Under those ceilings an oversized response fails
// its own stream only.

import * as http2 from 'node:http2';
import { ProtocolError } from '../errors.js';

const { NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;

/** SETTINGS values are 32-bit (RFC 9113 §6.5.1). node:http2 caps its own check at 16 MiB. */
export function headerListSetting(maxResponseHeaderBytes: number): number {
  return Math.min(maxResponseHeaderBytes, 0xffffffff);
}

/** The header list's size by RFC 9113 §6.5.2, from node:http2's raw [name, value, …] list. */
export function headerListSize(raw: readonly string[]): number {
  // node:http2 hands names and values over as latin1 strings: one character per octet.
  let size = 0;
  for (let i = 0; i < raw.length; i++) size += raw[i]!.length;
  return size + (raw.length / 2) * 32;
}

/**
 * node:http2 reset the stream because a header block broke a limit (this one, or its count of
 * fields). A server resetting a stream with ENHANCE_YOUR_CALM looks the same: node reports both
 * alike; that rare case is reported as too large too.
 */
export function isHeaderLimitReset(rstCode: number | undefined): boolean {
  return rstCode === NGHTTP2_ENHANCE_YOUR_CALM;
}

export function headersTooLarge(limit: number, size: number | null): ProtocolError {
  const what = size === null ? 'a response header block' : `the response's header list (${size} bytes)`;
  return new ProtocolError('ERR_HEADERS_TOO_LARGE', `${what} is over maxResponseHeaderBytes (${limit}, counted as RFC 9113 §6.5.2 does)`);
}
