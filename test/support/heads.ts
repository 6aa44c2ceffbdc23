// A parsed head as a plain object with every field its own (the parser's heads cut their field
// lines on first read, through a getter): so deepEqual compares the field lines too, whichever
// path (whole head or line by line) produced the head.

import type { ResponseHead } from '../../src/h1/types.js';

export function plainHead(h: ResponseHead): ResponseHead {
  return {
    statusCode: h.statusCode,
    reason: h.reason,
    versionMinor: h.versionMinor,
    rawHeaders: [...h.rawHeaders],
    contentLength: h.contentLength,
    chunked: h.chunked,
    connectionClose: h.connectionClose,
    keepAliveTimeoutMs: h.keepAliveTimeoutMs,
    contentEncoding: h.contentEncoding,
    headerBytes: h.headerBytes,
    ...(h.http2 === undefined ? {} : { http2: h.http2 }),
  };
}
