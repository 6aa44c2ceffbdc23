// `-v`: one request's story on stderr, told from the ClientTrace hooks. curl's layout (`* `
// notes, `> ` request head, `< ` response head) plus what curl cannot say: which pooled
// connection served the request, whether it was new or reused and how long it sat idle, what
// the pool did with it afterwards, and the time of each phase.

import type { ClientTrace, Response } from '../../src/index.js';
import type { Paint } from '../io.js';
import { formatMs, formatIdle, shownUrl } from './format.js';

export interface Tracer {
  /** The hooks to pass in the request's init. */
  readonly trace: ClientTrace;
  /** A `* ` note from outside the hooks (a connection closing, a redirect). */
  note(text: string): void;
  /** The client is about to follow a redirect to this request. */
  redirect(next: { method: string; url: URL; body: unknown }): void;
  /** The final response head: printed with `< `, then any notes held back while it arrived. */
  response(res: Response): void;
  /** The body was read (bytes) or the exchange ended without one (null): notes and timings. */
  finish(bodyBytes: number | null): void;
}

/** Phase timestamps (performance.now()) of the current hop; NaN = did not happen. */
interface Marks {
  dnsStart: number;
  dnsDone: number;
  connectStart: number;
  connectDone: number;
  tlsStart: number;
  tlsDone: number;
  wroteRequest: number;
  firstByte: number;
}

const noMarks = (): Marks => ({
  dnsStart: NaN, dnsDone: NaN, connectStart: NaN, connectDone: NaN,
  tlsStart: NaN, tlsDone: NaN, wroteRequest: NaN, firstByte: NaN,
});

/**
 * `write` gets one or more lines (without the final newline) and must print them at once.
 * `hasBody`: the request carries a body (its head is then shown before the body is sent).
 */
export function verboseTracer(method: string, url: URL, hasBody: boolean, write: (lines: string) => void, p: Paint): Tracer {
  const start = performance.now();
  let marks = noMarks();
  let target = url;
  let hopMethod = method;
  let connId = 0;
  let resolving = '';
  let hopHasBody = hasBody;
  // The header fields of the head being written; null once printed.
  let fields: string[] | null = null;
  // Notes that arrive between the first response byte and the printed head (a small response
  // gives its connection back before the caller sees the head) wait here, to keep the story in order.
  let held: string[] | null = null;

  const emit = (line: string): void => {
    if (held !== null) held.push(line);
    else write(line);
  };
  const note = (text: string): void => emit(p.dim(`* ${text}`));
  const since = (from: number): string => formatMs(performance.now() - from);

  /** The head as written: our rebuilt request line, then the fields the hooks reported. */
  const printRequestHead = (): void => {
    if (fields === null) return;
    const lines = [`> ${hopMethod} ${target.pathname}${target.search} HTTP/1.1`, ...fields.map((f) => `> ${f}`), '>'];
    fields = null;
    write(lines.map((l) => p.cyan(l)).join('\n')); // one write: one syscall on a pipe
  };

  const trace: ClientTrace = {
    getConn() {
      // Each hop (a redirect, or Go's retry on a fresh connection) starts its phases afresh.
      marks = noMarks();
      fields = [];
    },
    dnsStart({ host }) {
      marks.dnsStart = performance.now();
      resolving = host;
      note(`resolving ${host}`);
    },
    dnsDone({ addresses, err }) {
      marks.dnsDone = performance.now();
      if (err !== null) note(`resolving ${resolving} failed after ${since(marks.dnsStart)}: ${err.message}`);
      else note(`resolved ${resolving} to ${addresses.join(', ')} in ${formatMs(marks.dnsDone - marks.dnsStart)}`);
    },
    connectStart(_network, addr) {
      marks.connectStart = performance.now();
      note(`connecting to ${addr}`);
    },
    connectDone(_network, addr, err) {
      if (err !== null) {
        note(`connect to ${addr} failed after ${since(marks.connectStart)}: ${err.message}`);
        return;
      }
      marks.connectDone = performance.now();
      note(`connected to ${addr} in ${formatMs(marks.connectDone - marks.connectStart)}`);
    },
    tlsHandshakeStart() {
      marks.tlsStart = performance.now();
      note('TLS handshake starts');
    },
    tlsHandshakeDone(info, err) {
      if (err !== null) {
        note(`TLS handshake failed after ${since(marks.tlsStart)}: ${err.message}`);
        return;
      }
      marks.tlsDone = performance.now();
      note(`TLS handshake done in ${formatMs(marks.tlsDone - marks.tlsStart)}: ${info.protocol ?? 'unknown protocol'}, ALPN ${info.alpn ?? 'none'}`);
    },
    gotConn({ reused, wasIdle, idleTime, connId: id }) {
      connId = id;
      if (!reused) note(`new connection #${id}`);
      else if (wasIdle) note(`reused connection #${id} (idle ${formatIdle(idleTime)})`);
      else note(`reused connection #${id} (handed over straight from the previous request)`);
    },
    wroteHeaderField(key, values) {
      fields?.push(`${key}: ${values.join(', ')}`);
    },
    wroteHeaders() {
      // With a body to follow, show the head now (the body may take a while, or wait for 100
      // Continue); without one, wroteRequest comes next and prints it after taking its time.
      if (hopHasBody) printRequestHead();
    },
    wait100Continue() {
      note('waiting for 100 Continue before sending the body');
    },
    got100Continue() {
      note('got 100 Continue');
    },
    wroteRequest({ err }) {
      // The mark before the printing: stderr writes are synchronous, and time spent printing
      // after it would hide part of the server's wait.
      marks.wroteRequest = performance.now();
      printRequestHead();
      if (err !== null) note(`writing the request failed: ${err.message}`);
    },
    gotFirstResponseByte() {
      marks.firstByte = performance.now();
      held ??= [];
    },
    putIdleConn(err) {
      if (err === null) note(`connection #${connId} kept in the idle pool`);
      else note(`connection #${connId} not kept: ${err.message}`);
    },
  };

  const flush = (): void => {
    const lines = held ?? [];
    held = null;
    for (const l of lines) write(l);
  };

  const statusColor = (code: number): ((s: string) => string) =>
    code >= 400 ? p.red : code >= 300 ? p.yellow : p.green;

  return {
    trace,
    note,
    redirect(next) {
      flush();
      note(`following the redirect: ${next.method} ${shownUrl(next.url)}`);
      hopMethod = next.method;
      hopHasBody = next.body !== null;
      target = next.url;
    },
    response(res) {
      // The head went to the caller before any held note; print it first.
      const lines = held ?? [];
      held = null;
      const head = [statusColor(res.statusCode)(p.bold(`< ${res.proto} ${res.status}`))];
      for (const [k, v] of res.headers) head.push(`< ${k}: ${v}`);
      head.push('<');
      write(head.join('\n'));
      if (res.uncompressed) note('the body came compressed and is shown decoded (its Content-Encoding and Content-Length are left out above)');
      for (const l of lines) write(l);
    },
    finish(bodyBytes) {
      flush();
      const end = performance.now();
      if (bodyBytes !== null) note(`body: ${bodyBytes} bytes`);
      const phase = (a: number, b: number): string => (Number.isNaN(a) || Number.isNaN(b) ? '-' : formatMs(b - a));
      const waitFrom = marks.wroteRequest;
      note(
        `times: dns ${phase(marks.dnsStart, marks.dnsDone)}, connect ${phase(marks.connectStart, marks.connectDone)}, ` +
          `tls ${phase(marks.tlsStart, marks.tlsDone)}, wait ${phase(waitFrom, marks.firstByte)}, ` +
          `body ${bodyBytes === null ? '-' : phase(marks.firstByte, end)}, total ${formatMs(end - start)}`,
      );
    },
  };
}
