// Upload and download progress: the trace hooks uploadProgress and downloadProgress (trace.ts
// says why a hook and not an init callback). The Transport sets these up only for a request
// whose trace, or a diagnostics_channel subscriber, takes the event (trace.wants), so an
// untraced request is neither wrapped nor counted. Neighbours: the transport wraps the body
// source it opens (meterUpload) and watches the response's BodyChannel (meterDownload); the
// connections (transport/conn.ts, transport/h2/stream.ts) are unchanged and meter both protocols alike.

import type { BodyChannel } from './body.js';
import type { BodySource, StreamSource } from './request-body.js';
import { DONE, SelfIteratingSource } from './request-stream.js';
import { emit, type TraceCtx } from './trace.js';

/**
 * Throttle: an event when this many bytes or this much time passed since the last, so a 50 MB
 * body makes about 800 events, not one per socket read, yet a slow trickle still shows progress.
 */
export const PROGRESS_BYTES = 64 * 1024;
export const PROGRESS_MS = 100;

/** One body's count for one attempt, and its throttled events. */
export class Meter {
  transferred = 0;
  #reported = 0;
  #any = false;
  #at = Date.now();
  readonly #trace: TraceCtx;
  readonly #event: 'uploadProgress' | 'downloadProgress';
  readonly #total: number;

  constructor(trace: TraceCtx, event: 'uploadProgress' | 'downloadProgress', total: number) {
    this.#trace = trace;
    this.#event = event;
    this.#total = total;
  }

  add(n: number): void {
    this.transferred += n;
    if (this.transferred - this.#reported >= PROGRESS_BYTES || Date.now() - this.#at >= PROGRESS_MS) this.#report();
  }

  /** The body ended: its last count, once (an empty body reports 0). */
  end(): void {
    if (!this.#any || this.#reported !== this.transferred) this.#report();
  }

  #report(): void {
    this.#any = true;
    this.#reported = this.transferred;
    this.#at = Date.now();
    emit(this.#trace, this.#event, { transferred: this.transferred, total: this.#total });
  }
}

/**
 * The request body for one attempt, counted. A chunk counts once the connection asks for the
 * next one: both writers (body-writer.ts, h2/stream.ts) ask only after the socket or stream took
 * the chunk, waiting for 'drain' when it pushed back. Bytes known up front go out in 64 KiB
 * slices (no copies) so that they, too, report as they go rather than all at once.
 */
export function meterUpload(source: BodySource, trace: TraceCtx): StreamSource {
  const total = source.kind === 'bytes' ? source.data.length : source.length;
  return new MeteredUpload(source, new Meter(trace, 'uploadProgress', total), total);
}

class MeteredUpload extends SelfIteratingSource {
  readonly length: number;
  readonly #source: BodySource;
  readonly #meter: Meter;
  #it: AsyncIterator<Uint8Array> | null = null;
  #offset = 0;
  /** The chunk last handed out, counted when the next is asked for. */
  #pending = 0;
  #ended = false;

  constructor(source: BodySource, meter: Meter, length: number) {
    super();
    this.#source = source;
    this.#meter = meter;
    this.length = length;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#pending > 0) {
      this.#meter.add(this.#pending);
      this.#pending = 0;
    }
    if (this.#ended) return DONE;
    const source = this.#source;
    let chunk: Uint8Array | null = null;
    if (source.kind === 'bytes') {
      const data = source.data;
      if (this.#offset < data.length) {
        chunk = data.subarray(this.#offset, this.#offset + PROGRESS_BYTES);
        this.#offset += chunk.length;
      }
    } else {
      const r = await (this.#it ??= source.chunks[Symbol.asyncIterator]()).next();
      if (r.done !== true) chunk = r.value;
    }
    if (chunk === null) {
      this.#ended = true;
      this.#meter.end();
      return DONE;
    }
    this.#pending = chunk.length;
    return { done: false, value: chunk };
  }

  close(reason: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#source.kind === 'stream') this.#source.close(reason);
  }
}

/**
 * Counts a response body as it arrives in its channel, from what the connection had already
 * pushed before the response was handed over (the head and the first body bytes often come in
 * one read) to its end.
 */
export function meterDownload(channel: BodyChannel, trace: TraceCtx, total: number): void {
  if (channel.settled && !channel.complete) return; // failed already: nothing to report
  const meter = new Meter(trace, 'downloadProgress', total);
  meter.add(channel.buffered);
  if (channel.complete) meter.end();
  else channel.meter = meter;
}
