// A ReadableStream request body as fetch sends it: read chunk by chunk as the connection takes
// them, and cancelled with the abort reason when the fetch is aborted before it was read to the
// end (Fetch §4.1 "abort fetch" step 2: the caller's cancel() runs), whether or not the
// connection had started on it.

export class StreamBody implements AsyncIterable<Uint8Array> {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    // Locked now, as the standard Request locks the body it takes: nobody else reads it.
    this.#reader = stream.getReader();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const reader = this.#reader;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        this.#done = true;
        return;
      }
      yield value;
    }
  }

  /** The fetch was aborted: a body not yet read to its end is cancelled with the reason. */
  cancel(reason: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#reader.cancel(reason).catch(() => {});
  }
}
