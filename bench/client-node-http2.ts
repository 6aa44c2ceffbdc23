// node:http2's row: the minimal HTTP/2 client Node itself offers, one ClientHttp2Session
// (HTTP/2 multiplexes every request over it, as httpool and Go do) making requests directly.
// A session that closes or fails is replaced on the next request.

import http2 from 'node:http2';
import type { BenchClient, Target } from './client-common.js';
import { BODY_TYPE, REQUEST_TIMEOUT_MS, badStatus, protocolOfAlpn } from './client-common.js';

const { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_CONTENT_TYPE, HTTP2_HEADER_CONTENT_LENGTH } = http2.constants;

export async function nodeHttp2Client(target: Target): Promise<BenchClient> {
  let session: http2.ClientHttp2Session | null = null;
  const live = (): http2.ClientHttp2Session => {
    if (session === null || session.closed || session.destroyed) {
      session = http2.connect(target.origin, target.ca === null ? {} : { ca: target.ca });
      // A session error also fails its open streams, which is where each request sees it.
      session.on('error', () => {});
    }
    return session;
  };
  const body = target.body;
  const headers: http2.OutgoingHttpHeaders = { [HTTP2_HEADER_METHOD]: target.method, [HTTP2_HEADER_PATH]: target.path };
  if (body !== null) {
    headers[HTTP2_HEADER_CONTENT_TYPE] = BODY_TYPE;
    headers[HTTP2_HEADER_CONTENT_LENGTH] = body.length;
  }
  return {
    name: 'node:http2',
    call() {
      return new Promise((resolve, reject) => {
        const s = live();
        const req = s.request(headers, { endStream: body === null });
        req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('node:http2: timeout')));
        let bytes = 0;
        req.on('response', (h) => {
          const status = h[':status'];
          if (status !== 200) {
            req.close(http2.constants.NGHTTP2_CANCEL);
            reject(badStatus('node:http2', status));
          }
        });
        req.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        // By the first response the handshake is done, so alpnProtocol is the negotiated one.
        req.on('end', () => resolve({ bytes, protocol: protocolOfAlpn(s.alpnProtocol) }));
        req.on('error', reject);
        if (body !== null) req.end(body);
      });
    },
    async close() {
      const s = session;
      session = null;
      if (s === null || s.destroyed) return;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
