// Errors of the HPACK layer. Each is an HttpoolError with a stable `code` (ERR_PROTOCOL or
// ERR_HEADERS_TOO_LARGE) and, beside it, the HTTP/2 error code the connection layer must act on:
//
// - A block that cannot be decoded is a connection error of type COMPRESSION_ERROR (RFC 9113
//   §4.3): the decoder's dynamic table may now differ from the peer's encoder's, so no later
//   block on the connection can be trusted. `h2Code: 'COMPRESSION_ERROR'`.
// - A header list over the limit we advertised (SETTINGS_MAX_HEADER_LIST_SIZE, RFC 9113 §6.5.2,
//   §10.5.1) fails that stream only: the decoder still processes the whole block, so the
//   dynamic table stays in step with the peer's, and the connection stays usable.
//   `h2Code: null` (the caller resets the stream; Go and nghttp2 differ on the code to use).

import { ProtocolError } from '../../errors.js';

/** The HTTP/2 error code (RFC 9113 §7) an HPACK failure calls for, or null for a stream-only one. */
export type HpackH2Code = 'COMPRESSION_ERROR' | null;

/** A header block could not be decoded; the connection must end with COMPRESSION_ERROR. */
export class HpackError extends ProtocolError {
  readonly h2Code: HpackH2Code = 'COMPRESSION_ERROR';
  constructor(message: string) {
    super('ERR_PROTOCOL', `HPACK: ${message}`);
  }
}

/**
 * A decoded header list was larger than the limit. The block was fully processed (the dynamic
 * table is in step), so only the stream fails. `size` is how far the count got before the
 * decoder stopped keeping fields (at least `limit + 1`).
 */
export class HeaderListTooLargeError extends ProtocolError {
  readonly h2Code: HpackH2Code = null;
  readonly limit: number;
  readonly size: number;
  constructor(limit: number, size: number) {
    super('ERR_HEADERS_TOO_LARGE', `HPACK: the header list is over ${limit} bytes (at least ${size}, counted as RFC 9113 §6.5.2 does)`);
    this.limit = limit;
    this.size = size;
  }
}
