// The Transport: one request, one connection, no redirects, no cookies (Go's
// http.Transport.RoundTrip). It gets a connection from the pool, writes the request, returns
// the response as soon as its head arrives, and gives the connection back when the body has
// arrived. A failure on a reused connection is retried by Go's rule (retry.ts). Policy
// (redirects, cookies, the whole-exchange timeout) lives above, in src/client.

import type { BodyChannel } from '../body.js';
import type { Duplex } from 'node:stream';
import { decodingChain, tooManyCodings, ACCEPT_ENCODING, type Coding } from '../decode.js';
import { BodyError, HttpoolError, InvalidRequestError, redactUrl, withRequest } from '../errors.js';
import type { ResponseHead, BodyFraming } from '../h1/types.js';
import { validateHeaderValue, validateHost } from '../h1/write.js';
import { ConnInfo } from '../conn-info.js';
import type { Request } from '../request.js';
import { parseUrlParts, partsOf, type UrlParts } from '../url-parts.js';
import type { BodySource } from '../request-body.js';
import { Response } from '../response.js';
import { Headers } from '../headers.js';
import { addStats, emptyStats, type CloseReason, type TransportStats } from '../stats.js';
import { closedChannel, openedChannel, emit, traceFor, wants, type ClientTrace, type ConnectionMessage, type TraceCtx } from '../trace.js';
import { meterDownload, meterUpload } from '../progress.js';
import { RequestEvents } from '../request-events.js';
import { Conn, type ConnHooks } from './conn.js';
import { H2Session } from './h2/session.js';
import { dial, type DialEnv } from './dial.js';
import { PoolKey } from './key.js';
import { TlsSessions } from './tls.js';
import { parseProxyUrl, ProxyTarget } from '../proxy/proxy-url.js';
import { captureCallSite } from './leak-warning.js';
import { cancelFor } from '../cancel.js';
import { whenBodySettled } from '../response.js';
import type { ExchangeRequest, ExchangeResult } from './exchange.js';
import { resolveOptions, type ResolvedOptions, type TransportOptions } from './options.js';
import { Pool, type Clock, type Scheduler } from './pool.js';
import { PoolMonitor } from './pool-monitor.js';
import type { PoolAdvice } from '../advice/types.js';
import { track, untrack } from './live-transports.js';
import { isReplayable, MAX_RETRIES, shouldRetry } from './retry.js';

/** Anything that turns a Request into a Response (Go's RoundTripper). */
export interface RoundTripper {
  roundTrip(req: Request): Promise<Response>;
}

const USER_AGENT = 'httpool/0.1';
const METHODS_WITH_EMPTY_LENGTH = new Set(['POST', 'PUT', 'PATCH']);

let nextConnId = 1;

export class Transport implements RoundTripper {
  readonly options: Readonly<ResolvedOptions>;
  readonly #pool: Pool<AnyConn>;
  readonly #keys = new Map<string, PoolKey>();
  /** Direct keys by URL parts object (url-parts.ts hands out one per distinct URL string). */
  readonly #directKeys = new WeakMap<KeyParts, PoolKey>();
  readonly #proxies = new Map<string, ProxyTarget>();
  /** A number per distinct proxy credentials, so keys tell them apart without showing them. */
  readonly #credentialTags = new Map<string, number>();
  readonly #dialEnv: DialEnv;
  readonly #hooks: ConnHooks<AnyConn>;
  readonly #inFlight = new Set<AnyConn>();
  readonly #closing = new AbortController();
  /** The options as given, for clone(). */
  readonly #given: TransportOptions;
  /** This Transport's entry among the live ones (live-transports.ts), dropped at close(). */
  readonly #tracked: WeakRef<object>;
  /** What res.tls and the addresses read, per HTTP/2 session (an HTTP/1.1 Conn carries its own). */
  readonly #h2Info = new WeakMap<H2Session, ConnInfo>();
  /** The pool watching its own sizing (pool-monitor.ts): advice() and HttpoolPoolWarning. */
  readonly #monitor: PoolMonitor;

  constructor(opts: TransportOptions = {}) {
    this.options = Object.freeze(resolveOptions(opts));
    this.#given = { ...opts, ...(opts.tls === undefined ? {} : { tls: { ...opts.tls } }) };
    const o = this.options;
    this.#dialEnv = {
      opts: o,
      sessions: new TlsSessions(),
      userAgent: USER_AGENT,
      alpn: o.forceAttemptHTTP2 ? ['h2', 'http/1.1'] : ['http/1.1'],
      closing: this.#closing.signal,
    };
    this.#hooks = {
      reusable: (conn, trace) => {
        const reason = this.#pool.release(conn);
        if (trace !== null) {
          emit(trace, 'putIdleConn', reason === null ? null : new Error(`connection not kept: ${reason}`));
        }
      },
      closed: (conn, reason) => {
        this.#inFlight.delete(conn);
        this.#pool.closed(conn, reason);
        if (closedChannel.hasSubscribers) this.#publishConn(closedChannel, conn, reason);
      },
    };
    this.#tracked = track(this);
    const now: Clock = () => performance.now();
    const schedule: Scheduler = (delay, fn) => {
      const t = setTimeout(fn, delay);
      t.unref();
      return { cancel: () => clearTimeout(t) };
    };
    this.#monitor = new PoolMonitor(o, o.warnOnPoolMisuse, (at, bucketMs) => this.#pool.windowPeakTotal(at, bucketMs), now, schedule);
    this.#pool = new Pool<AnyConn>(
      o,
      (keyId, ctx, meta) => this.#dial(keyId, meta as PoolKey, ctx as TraceCtx | null),
      now,
      schedule,
      this.#monitor,
      // A host with nothing open leaves the pool: its key leaves the lookup too (requests made
      // from a remembered URL still hold the key object, which the next acquire hands back).
      (_keyId, meta) => {
        if (meta instanceof PoolKey && this.#keys.get(meta.probe) === meta) this.#keys.delete(meta.probe);
      },
    );
  }

  async #dial(keyId: string, key: PoolKey, trace: TraceCtx | null): Promise<AnyConn> {
    const { socket, reader, alpn } = await dial(key, this.#dialEnv, trace);
    const h2 = alpn === 'h2' || (this.options.unencryptedHTTP2 && key.scheme === 'http' && key.route !== 'forward');
    const info = new ConnInfo(socket);
    let conn: AnyConn;
    if (h2) {
      conn = new H2Session(nextConnId++, keyId, socket, reader, key.scheme, this.options, this.#hooks, performance.now());
      this.#h2Info.set(conn, info);
    } else {
      conn = new Conn(nextConnId++, keyId, socket, reader, this.options, this.#hooks, performance.now());
      conn.info = info;
    }
    this.#inFlight.add(conn);
    this.#monitor.firstDial(keyId, performance.now());
    if (openedChannel.hasSubscribers) this.#publishConn(openedChannel, conn, null);
    return conn;
  }

  /** A connection's open or close, with what a metric needs to label it (the key's parts, the protocol, its age). */
  #publishConn(ch: typeof openedChannel, conn: AnyConn, reason: CloseReason | null): void {
    const key = this.#pool.metaOf(conn.key) as PoolKey | null;
    const message: ConnectionMessage = {
      connId: conn.id,
      key: conn.key,
      scheme: key?.scheme ?? 'http',
      hostname: key?.hostname ?? '',
      port: key?.port ?? 0,
      protocol: conn instanceof H2Session ? 'h2' : 'http/1.1',
      age: performance.now() - conn.createdAt,
    };
    if (reason !== null) message.reason = reason;
    ch.publish(message);
  }

  #key(url: KeyParts, proxy: ProxyTarget | null): PoolKey {
    // Requests made from the same URL string share one parts object: its key is one lookup away.
    if (proxy === null) {
      const known = this.#directKeys.get(url);
      if (known !== undefined) return known;
      const key = this.#keyByText(url, null);
      this.#directKeys.set(url, key);
      return key;
    }
    return this.#keyByText(url, proxy);
  }

  #keyByText(url: KeyParts, proxy: ProxyTarget | null): PoolKey {
    const probe = proxy === null ? `${url.protocol}//${url.host}` : `${url.protocol}//${url.host} ${proxy.identity}`;
    let key = this.#keys.get(probe);
    if (key === undefined) {
      let tag = 0;
      if (proxy !== null && proxy.password !== '') {
        tag = this.#credentialTags.get(proxy.identity) ?? this.#credentialTags.size + 1;
        this.#credentialTags.set(proxy.identity, tag);
      }
      key = new PoolKey(url, proxy, tag);
      key.probe = probe;
      this.#keys.set(probe, key);
    }
    return key;
  }

  /** The `proxy` option's choice for this request, parsed once per distinct URL. */
  #proxyFor(req: Request): ProxyTarget | null {
    const choose = this.options.proxy;
    if (choose === null) return null;
    let chosen: URL | string | null;
    try {
      chosen = choose(req);
    } catch (err) {
      if (err instanceof HttpoolError) throw err;
      throw new InvalidRequestError('ERR_INVALID_OPTION', `the proxy function failed: ${(err as Error).message}`, { cause: err });
    }
    if (chosen === null || chosen === undefined || chosen === '') return null;
    const text = typeof chosen === 'string' ? chosen : chosen.href;
    let target = this.#proxies.get(text);
    if (target === undefined) {
      target = new ProxyTarget(parseProxyUrl(chosen));
      if (this.#proxies.size > 1000) this.#proxies.clear(); // a proxy function minting URLs must not grow this forever
      this.#proxies.set(text, target);
    }
    return target;
  }

  /**
   * One request, one response (Go's roundTrip loop): get a connection, send, and on a failure
   * that Go's shouldRetry allows, send again on another. Errors carry the method and URL.
   *
   * A request that fails closes its body's stream (Go's TestTransportClosesBodyOnError): the
   * attempt's source when it was opened (a retry opens a new one), else whatever the body holds.
   *
   * CONNECT is refused (ERR_INVALID_METHOD) before anything is sent: a CONNECT request's target
   * is an authority, not a path, and its answer is a tunnel, which a RoundTripper returning a
   * Response cannot hand over. Go's Transport would write it and give the tunnel as the body;
   * httpool opens tunnels itself for a proxy (the `proxy` option), and a caller who wants the raw
   * tunnel dials the proxy (the `dial` option, or node:net) and speaks CONNECT there.
   */
  async roundTrip(req: Request): Promise<Response> {
    const cancel = cancelFor(req);
    let source: BodySource | null = null;
    let events: RequestEvents | null = null;
    try {
      if (req.method.length === 7 && req.method.toUpperCase() === 'CONNECT') throw connectRefused();
      const parts = req._parts;
      const key = this.#key(parts, this.#proxyFor(req));
      const trace = traceFor(req);
      const fetchRules = req._decoding === 'fetch';
      const acceptEncoding = this.#acceptEncoding(req);
      const connectionClose = hasToken(req.headers.get('connection'), 'close');
      const upgrade = req.headers.has('upgrade');
      const headerList = this.#headerList(req, acceptEncoding, key, connectionClose, upgrade);
      // Go's Request.Host: the caller's Host, else the URL's; the URL alone chose the key above.
      const host = this.#hostFor(req, parts.host);
      // Through an HTTP proxy without a tunnel, the request line names the whole URL.
      const target = key.route === 'forward' ? `${parts.protocol}//${parts.host}${parts.target}` : parts.target;
      events = RequestEvents.for(req);
      // How long the HTTP/1.1 connection this attempt takes may have sat idle (pool.acquire):
      // a request that could not go again if the server closed the connection under it keeps
      // away from long-idle ones (the `unreplayableMaxIdle` option). A retry takes only a
      // connection fresher than the one that died: the server that closed that one (its idle
      // timeout, Apache dropping every idle connection when its workers are busy) has closed,
      // or is closing, the older ones too, and five in a row would fail even a GET.
      const limit = this.options.unreplayableMaxIdle;
      let maxIdle = limit > 0 && !isReplayable(req) ? limit : Infinity;
      for (let attempt = 0; ; attempt++) {
        // Request events (request-events.ts): start before the head is built, so a subscriber's
        // setHeader fields are written in it.
        const fields = events === null ? headerList : events.begin(attempt, headerList);
        // The head does not depend on the connection: build (and so validate) it before any
        // dial, as Go validates before getConn. A retry opens the body and builds it again.
        source = req.body === null ? null : req.body.open();
        // Upload progress (progress.ts) only for someone who takes it: others send the body as it is.
        if (source !== null && trace !== null && wants(trace, 'uploadProgress')) source = meterUpload(source, trace);
        const framing = this.#framing(req, source);
        const head = key.heads.head(req.method, target, host, fields, framing);
        emit(trace, 'getConn', key.hostPort);
        const got = this.#pool.acquire(key.id, cancel, trace, key, maxIdle);
        const { conn, wasIdle, idleTime } = got instanceof Promise ? await got : got;
        // Taken with a connection in hand: a host's entry (and its counters) lives while it has one.
        const counters = this.#pool.counters(key.id);
        const reused = conn.uses > 0;
        if (events !== null) events.connected(conn, reused, idleTime);
        const info = conn instanceof Conn ? conn.info : (this.#h2Info.get(conn) ?? null);
        if (trace !== null) {
          emit(trace, 'gotConn', {
            reused,
            wasIdle,
            idleTime,
            connId: conn.id,
            localAddress: info?.localAddress ?? null,
            remoteAddress: info?.remoteAddress ?? null,
          });
        }
        counters.requests++;
        if (reused) {
          counters.reused++;
          // A Transport that reuses a connection is not one made per call (per-call.ts).
          if (this.#monitor.unsettled) this.#monitor.settled(performance.now());
        }
        const exReq: ExchangeRequest = {
          method: req.method,
          request: req,
          head,
          fields,
          authority: host,
          path: target,
          framing,
          body: source,
          cancel,
          trace,
          expectContinue: source !== null && framing.kind !== 'none' && isToken(req.headers.get('expect'), '100-continue'),
          connectionClose,
          upgrade,
          // Go decodes only what it asked for itself; Fetch decodes whatever the response says.
          coding: fetchRules ? (req.method === 'HEAD' ? noCoding : fetchCodings) : acceptEncoding !== null ? goCodings : noCoding,
          callSite: null,
          responseHeaderTimeout: req.timeouts?.responseHeaderTimeout ?? this.options.responseHeaderTimeout,
          bodyIdleTimeout: req.timeouts?.bodyIdleTimeout ?? this.options.bodyIdleTimeout,
        };
        let r: ExchangeResult;
        try {
          r = await conn.roundTrip(exReq);
        } catch (err) {
          // This attempt's body is done with, whether or not another attempt follows.
          closeSource(source, err);
          source = null;
          if (events !== null) {
            if (err instanceof HttpoolError) withRequest(err, req.method, redactUrl(req.url));
            events.failed(err);
          }
          if (err instanceof HttpoolError && attempt < MAX_RETRIES && shouldRetry(err, req, reused)) {
            maxIdle = Math.min(maxIdle, wasIdle ? idleTime : 0);
            continue;
          }
          throw err;
        }
        // Only a body still arriving can leak. Capturing here, after the await, costs nothing
        // for small responses, and V8's async stack trace still names the caller's frames.
        if (!r.channel.complete && this.options.warnOnLeakedBody) exReq.callSite = captureCallSite();
        const res = this.#response(req, r.head, r.channel, r.decoded, r.upgrade, info);
        if (trace !== null && r.upgrade === null && req.method !== 'HEAD' && wants(trace, 'downloadProgress')) {
          // A decoded body's Content-Length counts the encoded bytes, not those delivered.
          meterDownload(r.channel, trace, r.decoded ? -1 : r.head.contentLength);
        }
        if (cancel?.ownedByTransport) whenBodySettled(res, () => cancel.release());
        if (events !== null) {
          const channel = r.channel;
          events.gotHeaders(res, (l) => whenBodySettled(res, l), () => channel.failure);
        }
        return res;
      }
    } catch (err) {
      if (cancel?.ownedByTransport) cancel.release();
      // Failed before the exchange took the body over (framing, head, dial, abort while waiting):
      // close what was opened, or what the body holds when nothing was.
      if (source !== null) closeSource(source, err);
      else req.body?._discard(err);
      if (err instanceof HttpoolError) withRequest(err, req.method, redactUrl(req.url));
      if (events !== null) events.failed(err);
      throw err;
    }
  }

  /**
   * The caller's Host (the `host` field, else a Host header), validated, or the URL's. A Host
   * header is looked up only when the request has headers of its own (most have none).
   */
  #hostFor(req: Request, urlHost: string): string {
    let host = req.host;
    if (host === null) {
      if (req.headers.size === 0) return urlHost;
      host = req.headers.get('host');
      if (host === null) return urlHost;
      if (req.headers.values('host').length > 1) {
        // RFC 9112 §3.2: a server must reject a request with more than one Host.
        throw new InvalidRequestError('ERR_INVALID_HEADER', `more than one Host header: ${req.headers.values('host').join(', ')}`);
      }
    }
    validateHost(host);
    return host;
  }

  #response(req: Request, head: ResponseHead, channel: BodyChannel, decoded: boolean, upgrade: Duplex | null, conn: ConnInfo | null): Response {
    let headers = Headers.fromHead(head);
    let contentLength = head.contentLength;
    // Fetch keeps the headers as they came (Content-Encoding included), as Node's fetch does.
    if (decoded && req._decoding === 'go') {
      // Go: the decoded body has no known length and no encoding left to undo.
      headers = headers.clone().delete('content-encoding').delete('content-length');
      contentLength = -1;
    }
    return new Response({
      statusCode: head.statusCode,
      reason: head.reason,
      proto: head.http2 === true ? 'HTTP/2.0' : head.versionMinor === 1 ? 'HTTP/1.1' : 'HTTP/1.0',
      headers,
      contentLength,
      channel,
      request: req,
      uncompressed: decoded,
      upgrade,
      conn,
    });
  }

  /**
   * The Accept-Encoding httpool adds, or null. Go adds one only when the caller did not ask for
   * an encoding or a range, and not for HEAD; Fetch (§4.6 HTTP-network-or-cache fetch) adds one
   * unless the caller did, and asks for `identity` with a Range.
   */
  #acceptEncoding(req: Request): string | null {
    if (this.options.disableCompression || req.headers.has('accept-encoding')) return null;
    if (req._decoding === 'fetch') return req.headers.has('range') ? 'identity' : ACCEPT_ENCODING;
    return req.method !== 'HEAD' && !req.headers.has('range') ? ACCEPT_ENCODING : null;
  }

  /**
   * The header lines to write: the caller's, less framing fields (the writer owns those) and Host
   * (the head's own line, from #hostFor), plus defaults.
   */
  #headerList(req: Request, acceptEncoding: string | null, key: PoolKey, connectionClose: boolean, upgrade: boolean): string[] {
    const raw = req.headers.raw();
    const out: string[] = [];
    let hasUA = false;
    let hasType = false;
    let hasProxyAuth = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const lower = name.toLowerCase();
      if (lower === 'host') {
        // Written as the head's Host line (#hostFor); a hostile value is refused even when the
        // `host` field overrides it.
        validateHeaderValue(name, raw[i + 1]!);
        continue;
      }
      if (lower === 'content-length' || lower === 'transfer-encoding') continue;
      if (lower === 'user-agent') {
        hasUA = true;
        // Go (Request.write): a User-Agent set to "" means none is sent, not an empty field.
        if (raw[i + 1] === '') continue;
      }
      else if (lower === 'content-type') hasType = true;
      else if (lower === 'proxy-authorization') {
        // Through a tunnel it would reach the origin server, not the proxy: never send it there.
        if (key.route === 'tunnel' || key.route === 'socks') continue;
        hasProxyAuth = true;
      }
      out.push(name, raw[i + 1]!);
    }
    if (!hasUA) out.push('User-Agent', USER_AGENT);
    if (acceptEncoding !== null) out.push('Accept-Encoding', acceptEncoding);
    if (!hasType && req.body?.contentType) out.push('Content-Type', req.body.contentType);
    // Go (persistConn.roundTrip): with DisableKeepAlives, Connection: close unless the request
    // already says so (then once, not twice) or asks for a protocol switch (Upgrade needs
    // Connection: upgrade, and the connection leaves the pool anyway).
    if (this.options.disableKeepAlives && !connectionClose && !upgrade) out.push('Connection', 'close');
    if (key.route === 'forward' && !hasProxyAuth && key.proxy!.authorization !== null) {
      out.push('Proxy-Authorization', key.proxy!.authorization);
    }
    return out;
  }

  /** Content-Length when the size is known, else chunked; a caller's Content-Length is checked, never trusted blindly. */
  #framing(req: Request, source: BodySource | null): BodyFraming {
    const declared = declaredLength(req);
    const te = req.headers.get('transfer-encoding');
    if (te !== null && te.trim().toLowerCase() !== 'chunked') {
      throw new InvalidRequestError('ERR_INVALID_HEADER', `unsupported Transfer-Encoding "${te}": httpool frames request bodies itself`);
    }
    if (source === null) {
      if (declared > 0) throw new InvalidRequestError('ERR_INVALID_HEADER', `Content-Length ${declared} given for a request without a body`);
      return METHODS_WITH_EMPTY_LENGTH.has(req.method) ? { kind: 'length', length: 0 } : { kind: 'none' };
    }
    if (source.kind === 'bytes') {
      if (declared >= 0 && declared !== source.data.length) {
        throw new BodyError('ERR_INVALID_BODY', `Content-Length ${declared} does not match the body's ${source.data.length} bytes`);
      }
      return { kind: 'length', length: source.data.length };
    }
    if (source.length >= 0) {
      if (declared >= 0 && declared !== source.length) {
        throw new BodyError('ERR_INVALID_BODY', `Content-Length ${declared} does not match the body's ${source.length} bytes`);
      }
      return { kind: 'length', length: source.length };
    }
    if (declared >= 0 && te === null) return { kind: 'length', length: declared };
    return { kind: 'chunked' };
  }

  /**
   * A new Transport with the same options and nothing else (Go's Transport.Clone): its own pool,
   * connections, TLS session cache, stats and proxy choices, so closing one leaves the other be.
   * Options that are objects (tls, lookup, dial…) are the same objects; `tls` is copied one level.
   */
  clone(): Transport {
    return new Transport(this.#given);
  }

  /** Closes idle connections now; busy ones finish their exchange. */
  closeIdleConnections(): void {
    this.#pool.closeIdle('idle-closed');
  }

  /** Closes everything: idle and busy connections; waiting and later requests fail with ERR_TRANSPORT_CLOSED. */
  async close(): Promise<void> {
    this.#monitor.settled(performance.now());
    this.#monitor.stop();
    this.#pool.close();
    untrack(this.#tracked);
    this.#closing.abort();
    for (const conn of [...this.#inFlight]) conn.close('transport-closed');
  }

  /**
   * @internal A Client's retry policy (src/client/retry.ts) retried `req` through this Transport,
   * or its budget refused to: counted in stats() under the request's pool key. The Client calls it
   * only when retry is on and only on a retry, so requests pay nothing for it.
   */
  noteRetry(req: Request, refused: boolean): void {
    let key: PoolKey;
    try {
      key = this.#key(req._parts, this.#proxyFor(req));
    } catch {
      return; // a proxy function that throws fails the request itself, not this count
    }
    const counters = this.#pool.counters(key.id);
    if (refused) counters.retriesRefused++;
    else counters.retries++;
  }

  stats(): TransportStats {
    const hosts = this.#pool.snapshot();
    const unlisted = this.#pool.unlisted();
    const totals = emptyStats();
    for (const h of Object.values(hosts)) addStats(totals, h);
    addStats(totals, unlisted.stats);
    return { hosts, totals, unlisted: unlisted.stats, unlistedHosts: unlisted.hosts };
  }

  /** @internal Host entries the pool holds now (tests of the per-host memory bound). */
  get _hostEntries(): number {
    return this.#pool.hostEntries;
  }

  /**
   * @internal Open connections per pool key, active and idle as stats() counts them, with the
   * key's target (OpenTelemetry's http.client.open_connections, src/otel/metrics.ts).
   */
  _openConnections(): OpenConnections[] {
    const out: OpenConnections[] = [];
    for (const { meta, active, idle } of this.#pool.open()) {
      if ((active === 0 && idle === 0) || !(meta instanceof PoolKey)) continue;
      out.push({ scheme: meta.scheme, hostname: meta.hostname, port: meta.port, active, idle });
    }
    return out;
  }

  /**
   * What this Transport's pool has found wrong with its sizing lately (the last 10 minutes), and
   * any Transport-per-call finding of the process: the findings HttpoolPoolWarning reports,
   * whether or not warnOnPoolMisuse let it. [] for a healthy pool.
   */
  advice(): PoolAdvice[] {
    return this.#monitor.advice(performance.now());
  }

  /** Idle connection ids for a URL's pool key, freshest last (diagnostics and tests). */
  idleConnIds(url: string | URL): number[] {
    const key = this.#key(typeof url === 'string' ? parseUrlParts(url) : partsOf(url), null);
    return this.#pool.idleOf(key.id).map((c) => c.id);
  }
}

/** @internal One pool key's open connections (Transport._openConnections). */
export interface OpenConnections {
  scheme: 'http' | 'https';
  hostname: string;
  port: number;
  active: number;
  idle: number;
}

/** What a pool key is made from: a URL's parts (url-parts.ts), immutable, so they can index keys. */
type KeyParts = Pick<UrlParts, 'protocol' | 'host' | 'hostname' | 'port'>;

/** A header value equal to `token`, case-insensitively (Expect). */
function isToken(value: string | null, token: string): boolean {
  return value !== null && value.trim().toLowerCase() === token;
}

/** A comma-separated header value holding `token` (Go's hasToken: Connection: keep-alive, close). */
function hasToken(value: string | null, token: string): boolean {
  if (value === null) return false;
  if (isToken(value, token)) return true;
  if (!value.includes(',')) return false;
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

/** Closes a failed attempt's streamed body (request-stream.ts); bytes have nothing to close. */
function closeSource(source: BodySource | null, reason: unknown): void {
  if (source !== null && source.kind === 'stream') source.close(reason);
}

function connectRefused(): InvalidRequestError {
  return new InvalidRequestError(
    'ERR_INVALID_METHOD',
    'CONNECT cannot be sent as a request: for a tunnel through a proxy set the proxy option (httpool opens the tunnel), or dial the proxy yourself and speak CONNECT on that socket',
  );
}

function declaredLength(req: Request): number {
  const values = req.headers.values('content-length');
  if (values.length === 0) return -1;
  const first = values[0]!.trim();
  for (const v of values) {
    if (v.trim() !== first) {
      throw new InvalidRequestError('ERR_INVALID_HEADER', `conflicting Content-Length headers: ${values.join(', ')}`);
    }
  }
  if (!/^\d{1,15}$/.test(first)) throw new InvalidRequestError('ERR_INVALID_HEADER', `invalid Content-Length "${first}"`);
  return Number(first);
}

function hasNoBody(head: ResponseHead): boolean {
  return head.statusCode === 204 || head.statusCode === 304 || head.contentLength === 0;
}

/** The Client's rule: a chain longer than decode.ts takes is left as sent, header included. */
function goCodings(head: ResponseHead): Coding[] | null {
  if (hasNoBody(head)) return null;
  const chain = decodingChain(head.contentEncoding);
  return chain === 'too-many' ? null : chain;
}

/** fetch's rule: such a chain fails the fetch (as Node's fetch refuses it). */
function fetchCodings(head: ResponseHead): Coding[] | null {
  if (hasNoBody(head)) return null;
  const chain = decodingChain(head.contentEncoding);
  if (chain === 'too-many') throw tooManyCodings(head.contentEncoding!);
  return chain;
}

function noCoding(): null {
  return null;
}

export type { ClientTrace };

/** An HTTP/1.1 connection or an HTTP/2 session: both serve roundTrip(). */
type AnyConn = Conn | H2Session;
