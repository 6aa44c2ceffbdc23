// FormData request bodies as multipart/form-data (RFC 7578), serialized exactly as browsers and
// undici do (the HTML spec's "multipart/form-data encoding algorithm"), but streamed: string
// fields and part headers become bytes up front, each File/Blob is read from blob.stream() only
// while the body is sent, so a 50 MB file part never sits in memory whole. request-body.ts makes
// the RequestBody; this file knows the format. The sizes of strings and Blobs are always known,
// so the body's length is too and it goes out with Content-Length (no chunked framing, which some
// servers refuse for uploads). The FormData's entries are taken once, when the body is made: a
// replay (a retry, a 307/308) sends the same parts even if the caller changes the FormData after.

import { randomBytes } from 'node:crypto';
import { DONE, SelfIteratingSource, WebStreamSource, type StreamSource } from './request-stream.js';

/** One FormData serialized: its Content-Type (with the boundary), its length, and a way to stream it. */
export interface MultipartBody {
  readonly contentType: string;
  readonly length: number;
  /** A fresh stream of the same bytes for each attempt (files are read again). */
  open(): StreamSource;
}

/**
 * RFC 7578 §4.1: the boundary must not occur in the content; like browsers we pick a random one
 * (96 bits: a collision is not a practical concern) rather than scan the files for it. RFC 2046
 * §5.1.1 allows up to 70 characters from a restricted set; this is 44, all of them safe unquoted.
 */
export function newBoundary(): string {
  return `----formdata-httpool-${randomBytes(12).toString('hex')}`;
}

export function encodeFormData(form: FormData, boundary: string = newBoundary()): MultipartBody {
  const prefix = `--${boundary}\r\nContent-Disposition: form-data; name="`;
  // Bytes and Blobs in order; adjacent bytes are merged so a form of many small fields is one write.
  const parts: (Uint8Array | Blob)[] = [];
  let text = '';
  let length = 0;
  const flush = (): void => {
    if (text === '') return;
    const bytes = Buffer.from(text, 'utf8');
    parts.push(bytes);
    length += bytes.length;
    text = '';
  };
  for (const [name, value] of form) {
    // HTML: names have their line breaks normalized to CRLF and are then escaped; string values
    // are normalized only (the part's body may hold any bytes); filenames are escaped only.
    text += prefix + escapeQuoted(normalizeLinebreaks(name)) + '"';
    if (typeof value === 'string') {
      text += `\r\n\r\n${normalizeLinebreaks(value)}\r\n`;
      continue;
    }
    // FormData holds Files only (a Blob appended becomes a File named "blob"). RFC 7578 §4.4:
    // a file's Content-Type defaults to application/octet-stream.
    text += `; filename="${escapeQuoted(value.name)}"\r\nContent-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`;
    if (value.size > 0) {
      flush();
      parts.push(value);
      length += value.size;
    }
    text += '\r\n';
  }
  text += `--${boundary}--\r\n`;
  flush();
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    open: () => new MultipartSource(parts, length),
  };
}

/**
 * The HTML spec (and RFC 7578 §2's note on percent-encoding) escapes `"`, CR and LF in a quoted
 * name or filename as %22, %0D, %0A; every other character goes out as UTF-8, as browsers send it.
 */
function escapeQuoted(s: string): string {
  return s.replace(/[\n\r"]/g, (c) => (c === '\n' ? '%0A' : c === '\r' ? '%0D' : '%22'));
}

/** A lone CR or LF becomes CRLF (HTML's entry-list normalization). */
function normalizeLinebreaks(s: string): string {
  return s.replace(/\r\n|\r|\n/g, '\r\n');
}

/**
 * One attempt's multipart stream. Not an async generator: close() must reach the Blob stream
 * being read (request-stream.ts: a failed request releases what its body holds, here an open file).
 */
class MultipartSource extends SelfIteratingSource {
  readonly length: number;
  readonly #parts: readonly (Uint8Array | Blob)[];
  #next = 0;
  #blob: WebStreamSource | null = null;
  #closed = false;

  constructor(parts: readonly (Uint8Array | Blob)[], length: number) {
    super();
    this.#parts = parts;
    this.length = length;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    while (!this.#closed) {
      const blob = this.#blob;
      if (blob !== null) {
        const r = await blob.next();
        if (r.done !== true) return r;
        this.#blob = null;
        continue;
      }
      if (this.#next >= this.#parts.length) break;
      const part = this.#parts[this.#next++]!;
      if (part instanceof Uint8Array) return { done: false, value: part };
      this.#blob = new WebStreamSource(part.stream(), part.size);
    }
    this.#closed = true;
    return DONE;
  }

  close(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#blob?.close(reason);
    this.#blob = null;
  }
}
