// The faulty server's view of HTTP/1.1 bytes: an incremental request reader (Content-Length
// and chunked bodies, since stream uploads go out chunked) and the response writer pieces.
// Raw bytes rather than node:http so every fault lands exactly where the server means it to.

import { H } from './protocol.js';

export interface SoakRequest {
  method: string;
  id: number;
  size: number;
  body: Buffer;
}

const CRLF = Buffer.from('\r\n', 'latin1');
/** A request head plus body larger than this is a client gone wrong; the server gives up on it. */
export const MAX_REQUEST_BYTES = 4 << 20;

/**
 * The first complete request in `buf` and how many bytes it took, null while incomplete, or
 * an Error when the bytes are not a request this soak sends.
 */
export function readRequest(buf: Buffer): { req: SoakRequest; used: number } | null | Error {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return buf.length > 64 * 1024 ? new Error('request head too large') : null;
  const lines = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const method = lines[0]!.split(' ')[0]!;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const id = Number(headers.get(H.id));
  const size = Number(headers.get(H.size) ?? '0');
  if (!Number.isSafeInteger(id) || !Number.isSafeInteger(size)) return new Error(`request without ${H.id}/${H.size}: ${lines[0]}`);
  const bodyStart = headEnd + 4;
  const te = headers.get('transfer-encoding');
  if (te !== undefined) {
    if (te.toLowerCase() !== 'chunked') return new Error(`unexpected Transfer-Encoding ${te}`);
    const r = readChunked(buf, bodyStart);
    if (r === null || r instanceof Error) return r;
    return { req: { method, id, size, body: r.body }, used: r.end };
  }
  const cl = Number(headers.get('content-length') ?? '0');
  if (!Number.isSafeInteger(cl) || cl < 0) return new Error('bad Content-Length');
  if (buf.length < bodyStart + cl) return null;
  return { req: { method, id, size, body: Buffer.from(buf.subarray(bodyStart, bodyStart + cl)) }, used: bodyStart + cl };
}

function readChunked(buf: Buffer, from: number): { body: Buffer; end: number } | null | Error {
  const parts: Buffer[] = [];
  let pos = from;
  // Bounded by the buffer: every pass consumes at least a size line.
  for (;;) {
    const eol = buf.indexOf(CRLF, pos);
    if (eol < 0) return null;
    const size = parseInt(buf.subarray(pos, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isInteger(size) || size < 0) return new Error('bad chunk size');
    pos = eol + 2;
    if (size === 0) {
      // Trailers, then an empty line.
      for (;;) {
        const e = buf.indexOf(CRLF, pos);
        if (e < 0) return null;
        const empty = e === pos;
        pos = e + 2;
        if (empty) return { body: Buffer.concat(parts), end: pos };
      }
    }
    if (buf.length < pos + size + 2) return null;
    parts.push(buf.subarray(pos, pos + size));
    pos += size + 2;
  }
}

export type Framing = 'length' | 'chunked' | 'close-delimited';

/** Response head lines; framing headers follow the body's framing, HEAD included. */
export function responseHead(fields: [string, string | number][], framing: Framing, size: number, close: boolean): Buffer {
  let head = 'HTTP/1.1 200 OK\r\n';
  for (const [k, v] of fields) head += `${k}: ${v}\r\n`;
  if (framing === 'length') head += `Content-Length: ${size}\r\n`;
  else if (framing === 'chunked') head += 'Transfer-Encoding: chunked\r\n';
  if (close) head += 'Connection: close\r\n';
  return Buffer.from(head + '\r\n', 'latin1');
}

/** The body as it goes on the wire: chunked in the given piece sizes, or as is. */
export function bodyWire(body: Buffer, framing: Framing, pieces: number[]): Buffer {
  if (framing !== 'chunked') return body;
  const out: Buffer[] = [];
  let pos = 0;
  for (const n of pieces) {
    if (pos >= body.length) break;
    const piece = body.subarray(pos, pos + n);
    out.push(Buffer.from(`${piece.length.toString(16)}\r\n`, 'latin1'), piece, CRLF);
    pos += piece.length;
  }
  if (pos < body.length) {
    const rest = body.subarray(pos);
    out.push(Buffer.from(`${rest.length.toString(16)}\r\n`, 'latin1'), rest, CRLF);
  }
  out.push(Buffer.from('0\r\n\r\n', 'latin1'));
  return Buffer.concat(out);
}
