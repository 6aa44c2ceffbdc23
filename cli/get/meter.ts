// What -w and --json report, gathered from the library's public surface: phase times from the
// ClientTrace hooks, addresses and version from the Response, sizes from the body loop. Times
// are curl's: seconds from the start of the command's transfer, cumulative, each phase of the
// final hop (after redirects) measured from that same start.

import type { ClientTrace, Response } from '../../src/index.js';

/** Phase moments (performance.now()) of the current hop; NaN = not reached. */
interface Hop {
  start: number;
  dnsDone: number;
  connectDone: number;
  tlsDone: number;
  gotConn: number;
  firstByte: number;
}

const freshHop = (start: number): Hop => ({ start, dnsDone: NaN, connectDone: NaN, tlsDone: NaN, gotConn: NaN, firstByte: NaN });

/** curl's time_* variables, in seconds. */
export interface Times {
  namelookup: number;
  connect: number;
  appconnect: number;
  pretransfer: number;
  starttransfer: number;
  redirect: number;
  total: number;
}

export class Meter {
  readonly #start = performance.now();
  #hop: Hop = freshHop(this.#start);
  #end = NaN;
  #hops = 0;
  /** The last host name being resolved: tells the exit code whether a DNS failure was the proxy's. */
  lastResolved: string | null = null;
  reused = false;
  connId: number | null = null;
  connects = 0;
  redirects = 0;
  uploaded = 0;
  downloaded = 0;
  response: Response | null = null;

  readonly trace: ClientTrace = {
    getConn: () => {
      // Each hop (a redirect, or a resend on a fresh connection) measures its phases afresh.
      this.#hop = freshHop(this.#hops++ === 0 ? this.#start : performance.now());
    },
    dnsStart: ({ host }) => {
      this.lastResolved = host;
    },
    dnsDone: ({ err }) => {
      if (err === null) this.#hop.dnsDone = performance.now();
    },
    connectDone: (_network, _addr, err) => {
      if (err !== null) return;
      this.#hop.connectDone = performance.now();
      this.connects++;
    },
    tlsHandshakeDone: (_info, err) => {
      if (err === null) this.#hop.tlsDone = performance.now();
    },
    gotConn: ({ reused, connId }) => {
      this.#hop.gotConn = performance.now();
      this.reused = reused;
      this.connId = connId;
    },
    gotFirstResponseByte: () => {
      this.#hop.firstByte = performance.now();
    },
    uploadProgress: ({ transferred }) => {
      this.uploaded = transferred;
    },
  };

  /** The exchange is over, with or without success. */
  finish(): void {
    if (Number.isNaN(this.#end)) this.#end = performance.now();
  }

  times(): Times {
    const h = this.#hop;
    // Microseconds, as curl's six decimals: no float noise in --json.
    const s = (t: number): number => (Number.isNaN(t) ? 0 : Math.round((t - this.#start) * 1000) / 1e6);
    const ok = this.response !== null;
    // Phases a successful hop skipped (no DNS for an IP, no connect on a reused connection)
    // take the moment before them, as curl's do, so the times stay in order; a failed
    // exchange reports 0 for what it never reached, as curl does. No TLS is 0, as in curl.
    const or = (t: number, before: number): number => (!Number.isNaN(t) || !ok ? t : before);
    const namelookup = or(h.dnsDone, h.start);
    const connect = or(h.connectDone, namelookup);
    const pretransfer = or(h.gotConn, Number.isNaN(h.tlsDone) ? connect : h.tlsDone);
    const starttransfer = or(h.firstByte, pretransfer);
    return {
      namelookup: s(namelookup),
      connect: s(connect),
      appconnect: s(h.tlsDone),
      pretransfer: s(pretransfer),
      starttransfer: s(starttransfer),
      redirect: this.redirects > 0 ? s(h.start) : 0,
      total: s(this.#end),
    };
  }
}
