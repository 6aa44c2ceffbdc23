// Sending a streamed request body on a socket: chunked or under a declared Content-Length,
// with backpressure. A body that ends short of, or runs past, its declared length fails
// instead of going out wrong (seed 002 a: a reused request sent a short body).

import type { Duplex } from 'node:stream';
import { BodyError } from '../errors.js';
import type { BodyFraming } from '../h1/types.js';
import { encodeChunk, LAST_CHUNK } from '../h1/write.js';

/**
 * Writes `chunks` to `socket` framed as `framing`. `stop()` says the exchange is over (failed,
 * closed, or answered) and the rest must not be sent; `drained()` resolves when the socket can
 * take more.
 */
export async function writeBody(
  socket: Duplex,
  chunks: AsyncIterable<Uint8Array>,
  framing: BodyFraming,
  stop: () => boolean,
  drained: () => Promise<void>,
): Promise<void> {
  const chunked = framing.kind === 'chunked';
  const declared = framing.kind === 'length' ? framing.length : -1;
  let sent = 0;
  for await (const chunk of chunks) {
    if (stop()) return;
    if (chunk.length === 0) continue;
    sent += chunk.length;
    if (declared >= 0 && sent > declared) {
      throw new BodyError('ERR_INVALID_BODY', `request body is longer than its declared length ${declared}`);
    }
    let ok: boolean;
    if (chunked) {
      socket.cork();
      for (const part of encodeChunk(chunk)) socket.write(part);
      socket.uncork();
      ok = socket.writableLength < socket.writableHighWaterMark;
    } else {
      ok = socket.write(chunk);
    }
    if (!ok) await drained();
  }
  if (stop()) return;
  if (declared >= 0 && sent !== declared) {
    throw new BodyError('ERR_INVALID_BODY', `request body ended after ${sent} of ${declared} declared bytes`);
  }
  if (chunked) socket.write(LAST_CHUNK);
}
