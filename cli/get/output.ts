// Where get/head/post write what they received: the body as raw bytes (streamed, so a large
// download is never held in memory, and paced by stdout so a slow pipe slows the reading), or
// for HEAD the status line and header fields.

import { createWriteStream, type WriteStream } from 'node:fs';
import type { Response } from '../../src/index.js';
import type { Io, Paint } from '../io.js';
import { EXIT, ExitError } from './exit-codes.js';

/**
 * Remembers the first error of an output stream. Without a listener, an EPIPE from
 * `httpool get URL | head -c 10` would crash the process with a stack; with it, the body loop
 * stops and the command reports one line.
 */
export class OutputGuard {
  error: Error | null = null;
  readonly #stream: Io['out'];
  readonly #listener = (err: Error): void => {
    this.error ??= err;
  };

  constructor(stream: Io['out']) {
    this.#stream = stream;
    stream.on('error', this.#listener);
  }

  /** Throws what the stream reported, as a one-line error with curl's exit status 23. */
  check(): void {
    if (this.error !== null) {
      const code = (this.error as NodeJS.ErrnoException).code;
      throw new ExitError(EXIT.writeError, `cannot write the output${code === undefined ? '' : ` (${code})`}: ${this.error.message}`);
    }
  }

  release(): void {
    this.#stream.removeListener('error', this.#listener);
  }
}

/** Writes the body to `out` as it arrives and returns its size; reads it to the end either way. */
/** `count`, when given, holds the bytes so far: -w's %{size_download} after a body that fails part-way. */
export async function pipeBody(res: Response, out: Io['out'], guard: OutputGuard, count?: { downloaded: number }): Promise<number> {
  let bytes = 0;
  for await (const chunk of res.body) {
    bytes += chunk.length;
    if (count !== undefined) count.downloaded = bytes;
    guard.check();
    if (!out.write(chunk)) await drained(out);
  }
  guard.check();
  return bytes;
}

/** Resolves on 'drain' or 'error' ('drain' never comes after an error), leaving no listener behind. */
function drained(out: Io['out']): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.removeListener('drain', done);
      out.removeListener('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('error', done);
  });
}

/**
 * -i's and HEAD's output, like curl's: the status line, each field as received, and an empty
 * line that ends the head (before the body, or the next head of a redirect chain).
 */
export function printHead(res: Response, out: Io['out'], p: Paint): void {
  let text = `${p.bold(`${res.proto} ${res.status}`)}\n`;
  for (const [name, value] of res.headers) text += `${name}: ${value}\n`;
  out.write(`${text}\n`);
}

/**
 * -o FILE, opened once the response head is in (as curl does: a failed request leaves no empty
 * file behind). An unwritable path is curl's 23.
 */
export function openOutputFile(path: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const file = createWriteStream(path);
    file.once('open', () => {
      file.removeAllListeners('error');
      resolve(file);
    });
    file.once('error', (err: NodeJS.ErrnoException) => {
      reject(new ExitError(EXIT.writeError, `-o ${path}: cannot write (${err.code ?? err.message})`));
    });
  });
}

/** Ends the -o file and waits until its bytes are handed to the OS (a write error there is 23 too). */
export function closeOutputFile(file: WriteStream, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    file.once('error', (err: NodeJS.ErrnoException) => reject(new ExitError(EXIT.writeError, `-o ${path}: cannot write (${err.code ?? err.message})`)));
    file.end(() => resolve());
  });
}
