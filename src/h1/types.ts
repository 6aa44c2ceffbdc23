// The contract between the HTTP/1.1 wire code (src/h1, pure: no sockets, no timers) and the
// connection that drives it (src/transport/conn.ts).

/** What the response parser learned from one status line and its header block. */
export interface ResponseHead {
  statusCode: number;
  /** Reason phrase as sent (may be empty). */
  reason: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  versionMinor: 0 | 1;
  /** Flat [name, value, …] in wire order, names as sent, values with OWS trimmed (cut on first read: head.ts). */
  readonly rawHeaders: string[];
  /** Declared Content-Length, or -1 when absent or when chunked framing wins. */
  contentLength: number;
  /** Transfer-Encoding ends in chunked. */
  chunked: boolean;
  /**
   * The server will close after this response (Connection: close, HTTP/1.0 without
   * keep-alive, or a close-delimited body). The connection must not be reused.
   */
  connectionClose: boolean;
  /** `Keep-Alive: timeout=N` in milliseconds, or -1. */
  keepAliveTimeoutMs: number;
  /** The Content-Encoding value (several field lines joined by ", "), or null when there is none. */
  contentEncoding: string | null;
  /** Bytes of the status line and headers, for trace and the header limit. */
  headerBytes: number;
  /** The response came over HTTP/2 (the h1 fields versionMinor and framing do not apply). */
  http2?: boolean;
}

/** Callbacks the parser makes as bytes arrive. Errors are thrown from feed()/finish() instead. */
export interface ParserHandler {
  /** A 1xx response (not 101) arrived; the final response is still to come. */
  onInformational(head: ResponseHead): void;
  /** The final response's head. Body callbacks follow unless the message has no body. */
  onHead(head: ResponseHead): void;
  /** A piece of the (de-chunked) body. The buffer may be a view into the fed chunk: copy to keep past the callback only if needed. */
  onBody(chunk: Buffer): void;
  /** The message is complete. `trailers` is a flat list, empty when none. */
  onComplete(trailers: string[]): void;
  /**
   * Bytes that followed a 101 Switching Protocols head in the same read: they belong to the
   * new protocol, not to HTTP. Without this handler they are refused like any extra bytes.
   */
  onUpgradeBytes?(rest: Buffer): void;
}

/** How the request writer frames the body that follows the head. */
export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' };
