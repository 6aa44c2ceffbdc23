// A response head as the HTTP/1.1 parser (parse.ts) hands it over. Its field lines are cut into
// strings only when someone reads them: the fast path (fast-head.ts) keeps the head's text and
// each field's offsets, and most responses' headers are never looked at, or only through the
// few fields the parser itself needed (framing, Connection, Keep-Alive, Content-Encoding).

import type { ResponseHead } from './types.js';

export class ParsedHead implements ResponseHead {
  statusCode = 0;
  reason = '';
  versionMinor: 0 | 1 = 1;
  contentLength = -1;
  chunked = false;
  connectionClose = false;
  keepAliveTimeoutMs = -1;
  headerBytes = 0;
  contentEncoding: string | null = null;
  #raw: string[] | null;
  readonly #text: string;
  readonly #offsets: readonly number[] | null;

  /** Either the fields already cut (`raw`), or the head's text and four offsets per field. */
  constructor(raw: string[] | null, text = '', offsets: readonly number[] | null = null) {
    this.#raw = raw;
    this.#text = text;
    this.#offsets = offsets;
  }

  get rawHeaders(): string[] {
    let raw = this.#raw;
    if (raw === null) {
      const text = this.#text;
      const off = this.#offsets!;
      raw = new Array<string>(off.length / 2);
      for (let i = 0, j = 0; i < off.length; i += 4, j += 2) {
        raw[j] = text.slice(off[i]!, off[i + 1]!);
        raw[j + 1] = text.slice(off[i + 2]!, off[i + 3]!);
      }
      this.#raw = raw;
    }
    return raw;
  }
}
