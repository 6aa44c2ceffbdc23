// Opening a connection for a pool key, in layers: the first hop (the target, or the proxy), TLS
// to an https:// proxy, the proxy handshake (CONNECT or SOCKS5), then TLS to an https:// target.
// The first hop is one of: httpool's TCP connection, the `socketPath` Unix socket (made the same
// way), or a user's `dial`/`dialTLS` (custom-dial.ts); everything after it rides on whichever it
// was. dialTimeout bounds the first hop and the proxy handshake, and tlsHandshakeTimeout each TLS
// handshake. Errors come back typed: ERR_DNS, ERR_CONNECT, ERR_TIMEOUT, ERR_TLS, ERR_PROXY.

import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { ConnectError, TimeoutError, type HttpoolError, type TimeoutKind } from '../errors.js';
import { connectTunnel } from '../proxy/connect-tunnel.js';
import { socksConnect } from '../proxy/socks.js';
import { emit, type TraceCtx } from '../trace.js';
import type { PoolKey } from './key.js';
import { userDial, type UserDialer } from './custom-dial.js';
import type { ResolvedOptions } from './options.js';
import { handshake, startTls, tlsOptions, type TlsSessions, type TlsTarget } from './tls.js';

/**
 * Where a socket read through onread (plain TCP, or TLS straight to the target) delivers what
 * it reads. Node fills a buffer the reader chooses (transport/read-buffers.ts) instead of
 * allocating a Buffer per read and pushing it through a Readable stream; the reader must copy
 * whatever it keeps of the shared one.
 */
export interface ReadInto {
  fn: ((buf: Buffer) => void) | null;
  /** Chooses the buffer for the next read (Node asks right after each read is delivered). */
  buffer: (() => Buffer) | null;
  /** The reused read buffer (one for the whole process: see SHARED_READ_BYTES). */
  readonly shared: Buffer;
  /**
   * Reads that came before a connection installed `fn`, copied: an HTTP/2 server speaks first
   * (its SETTINGS), and over TLS 1.3 they can land while dial() is still finishing up.
   */
  early: Buffer[] | null;
}

/**
 * One read buffer for every plain-TCP connection of the process. libuv asks for a buffer and
 * delivers the read into it before it reads any other socket, and the reader copies whatever it
 * keeps before returning, so the connections can take turns with it: an idle connection costs
 * no read memory (it was 16 KiB each, most of a pooled connection's footprint). Sized for heads
 * and small bodies; a large body's reads get fresh, larger buffers the body keeps.
 */
export const SHARED_READ_BYTES = 16 * 1024;
let sharedReadBuffer: Buffer | null = null;

function sharedRead(): Buffer {
  return (sharedReadBuffer ??= Buffer.allocUnsafeSlow(SHARED_READ_BYTES));
}

/**
 * What a connection runs on: a net.Socket, or any Duplex a user's dial returned (which may have
 * no ref/unref: such a connection keeps the process alive while idle).
 */
export type ConnSocket = Duplex & { ref?(): unknown; unref?(): unknown };

export interface Dialed {
  socket: ConnSocket;
  /** Set when the socket reads through onread: the conn installs its reader here. */
  reader: ReadInto | null;
  /** The ALPN protocol agreed with the target over TLS ("h2", "http/1.1"), or null. */
  alpn: string | null;
}

export interface DialEnv {
  opts: ResolvedOptions;
  sessions: TlsSessions;
  userAgent: string;
  /** ALPN protocols to offer an https:// target. */
  alpn: string[];
  /** Aborts when the Transport closes: a user's dial still under way is told to stop. */
  closing: AbortSignal;
}

export async function dial(key: PoolKey, env: DialEnv, trace: TraceCtx | null = null): Promise<Dialed> {
  const { opts } = env;
  const proxy = key.proxy;
  const tlsTarget: TlsTarget | null =
    key.scheme === 'https' ? { hostname: key.hostname, port: key.port, servername: opts.tls.servername ?? key.hostname } : null;
  // Go's DialTLSContext: for https:// requests that use no proxy.
  const userDialer: UserDialer | null =
    tlsTarget !== null && key.route === 'direct' && opts.dialTLS !== null
      ? { kind: 'dialTLS', fn: opts.dialTLS, target: tlsTarget, alpn: env.alpn }
      : opts.dial !== null
        ? { kind: 'dial', fn: opts.dial }
        : null;
  const hop = firstHop(key, opts);
  const first =
    userDialer === null
      ? await ownConnection(key, hop, tlsTarget, env, trace)
      : {
          socket: await within(opts.dialTimeout, `${userDialer.kind} ${hop.hostPort}`, 'dial', (cancel) => userDial(userDialer, hop, env.closing, opts.tcpKeepAlive, trace, cancel)),
          reader: null,
          tlsUnderWay: false,
        };
  let socket: ConnSocket = first.socket;
  try {
    if (proxy !== null && proxy.scheme === 'https') {
      socket = await within(opts.tlsHandshakeTimeout, `TLS handshake with proxy ${proxy.hostPort}`, 'tlsHandshake', (cancel) =>
        startTls(socket, { hostname: proxy.hostname, port: proxy.port, servername: proxy.hostname }, opts.tls, ['http/1.1'], env.sessions, trace, cancel),
      );
    }
    if (key.route === 'tunnel') {
      const s = socket;
      await within(opts.dialTimeout, `CONNECT through ${proxy!.display}`, 'dial', () =>
        connectTunnel(s, key, proxy!, opts, env.userAgent),
      );
    } else if (key.route === 'socks') {
      const s = socket;
      socket = await within(opts.dialTimeout, `SOCKS5 through ${proxy!.display}`, 'dial', () => socksConnect(s, key, proxy!, opts.lookup));
    }
    let alpn: string | null = null;
    if (tlsTarget !== null) {
      const s = socket;
      const secure: Duplex =
        userDialer?.kind === 'dialTLS'
          ? s // secured by the user's dialTLS
          : await within(opts.tlsHandshakeTimeout, `TLS handshake with ${key.targetHostPort}`, 'tlsHandshake', (cancel) => {
              if (!first.tlsUnderWay) return startTls(s, tlsTarget, opts.tls, env.alpn, env.sessions, trace, cancel);
              emit(trace, 'tlsHandshakeStart'); // under way since the TCP connect
              return handshake(s as tls.TLSSocket, tlsTarget, env.sessions, trace, cancel);
            });
      const agreed = (secure as Partial<tls.TLSSocket>).alpnProtocol;
      alpn = typeof agreed === 'string' ? agreed : null;
      socket = secure;
    }
    return { socket, reader: first.reader, alpn };
  } catch (err) {
    socket.destroy();
    first.socket.destroy();
    throw err;
  }
}

/** The proxy when there is one, else the target; socketPath replaces either (options.ts allows no proxy with it). */
function firstHop(key: PoolKey, opts: ResolvedOptions): Hop {
  if (opts.socketPath !== null) return { hostname: key.hostname, port: key.port, hostPort: opts.socketPath, path: opts.socketPath };
  const p = key.proxy;
  if (p !== null) return { hostname: p.hostname, port: p.port, hostPort: p.hostPort, path: null };
  return { hostname: key.hostname, port: key.port, hostPort: key.targetHostPort, path: null };
}

/**
 * httpool's own first hop: TCP, or the socketPath Unix socket. Read through onread where Node
 * offers it: a plain socket, or (https:// straight to the target) a TLS socket that makes its own
 * connection, since a socket wrapped in TLS later cannot read through onread. HTTP/1.1
 * connections (conn.ts) and HTTP/2 sessions (transport/h2/session.ts) both install a reader.
 */
async function ownConnection(
  key: PoolKey,
  hop: Hop,
  tlsTarget: TlsTarget | null,
  env: DialEnv,
  trace: TraceCtx | null,
): Promise<{ socket: net.Socket; reader: ReadInto | null; tlsUnderWay: boolean }> {
  const { opts } = env;
  const proxy = key.proxy;
  const plain = key.scheme === 'http' && (key.route === 'direct' || (key.route === 'forward' && proxy!.scheme === 'http'));
  const direct =
    tlsTarget !== null && key.route === 'direct' && handshakeCannotThrow(opts.tls) ? tlsOptions(tlsTarget, opts.tls, env.alpn, env.sessions) : null;
  const c = await within(opts.dialTimeout, `dial ${hop.hostPort}`, 'dial', (cancel) => tcpConnect(hop, opts, trace, plain || direct !== null, direct, cancel));
  return { ...c, tlsUnderWay: direct !== null };
}

/**
 * Runs one stage with its own time limit; on expiry the stage's `cancel` hook and the socket
 * it works on are torn down by the stage's own rejection path.
 */
async function within<T>(ms: number, what: string, kind: TimeoutKind, stage: (onCancel: (fn: () => void) => void) => Promise<T>): Promise<T> {
  let cancel: (() => void) | null = null;
  const work = stage((fn) => (cancel = fn));
  if (ms <= 0) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      (cancel as (() => void) | null)?.();
      reject(new TimeoutError('ERR_TIMEOUT', `${what} timed out after ${ms} ms`, { timeout: kind }));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => {}); // the stage's own failure after a timeout is already reported
  }
}

/** The first hop: the target, or the proxy; with socketPath, a Unix socket (`path`, also `hostPort`). */
export interface Hop {
  hostname: string;
  port: number;
  hostPort: string;
  path: string | null;
}

/**
 * Options that can make the TLS client refuse to start its handshake (no cipher left for the
 * versions allowed, every protocol disabled). Such a refusal is thrown from the socket's
 * 'connect' handler when TLS makes its own connection, where nothing can catch it; over a socket
 * we connected first it is an ordinary error. So with any of these the slower way is taken.
 */
const START_RISKS = ['ciphers', 'secureOptions', 'secureProtocol', 'secureContext', 'sigalgs', 'ecdhCurve'] as const;

function handshakeCannotThrow(options: tls.ConnectionOptions): boolean {
  for (const k of START_RISKS) if (options[k] !== undefined) return false;
  return true;
}

/**
 * The TCP connection to the first hop; with `secure`, the TLS socket that makes it (tls.connect
 * without a socket of its own: the handshake starts once connected, and dial() waits for it).
 */
function tcpConnect(
  hop: Hop,
  opts: ResolvedOptions,
  trace: TraceCtx | null,
  fastRead: boolean,
  secure: tls.ConnectionOptions | null,
  onCancel: (fn: () => void) => void,
): Promise<{ socket: net.Socket; reader: ReadInto | null }> {
  return new Promise((resolve, reject) => {
    const unix = hop.path !== null;
    const literal = unix || net.isIP(hop.hostname) !== 0;
    // Go's hooks: DNS only for names, then connectStart/connectDone for every attempt (Node's
    // happy eyeballs tries each address in turn; a Unix socket is one attempt Node does not report).
    const network = unix ? 'unix' : 'tcp';
    let addr = unix ? hop.path! : '';
    let attemptOpen = false;
    let settled = false;
    if (trace !== null && !literal) emit(trace, 'dnsStart', { host: hop.hostname });
    const fail = (err: HttpoolError): void => {
      if (settled) return;
      settled = true;
      if (trace !== null) {
        if (attemptOpen) emit(trace, 'connectDone', network, addr, err);
        else if (!literal && addr === '') emit(trace, 'dnsDone', { addresses: [], err });
      }
      socket.destroy();
      reject(err);
    };
    onCancel(() => fail(new TimeoutError('ERR_TIMEOUT', `dial ${hop.hostPort} timed out`, { timeout: 'dial' })));
    let reader: ReadInto | null = null;
    const lookup = opts.lookup !== null ? { lookup: opts.lookup } : {};
    let onread: net.OnReadOpts | undefined;
    if (fastRead) {
      const into: ReadInto = { fn: null, buffer: null, shared: sharedRead(), early: null };
      reader = into;
      onread = {
        buffer: () => (into.buffer === null ? into.shared : into.buffer()),
        callback: (n: number, buf: Uint8Array) => {
          const chunk = (buf as Buffer).subarray(0, n);
          if (into.fn !== null) into.fn(chunk);
          else (into.early ??= []).push(Buffer.from(chunk));
          return true;
        },
      };
    }
    const where = {
      ...(unix ? { path: hop.path! } : { host: hop.hostname, port: hop.port, ...lookup }),
      ...(onread === undefined ? {} : { onread }),
    };
    const socket: net.Socket = secure === null ? net.connect(where) : tls.connect({ ...secure, ...where });
    if (trace !== null && unix) {
      attemptOpen = true;
      emit(trace, 'connectStart', network, addr);
    } else if (trace !== null) {
      // 'lookup' fires once per address found; dnsDone reports them together before the first attempt.
      const addresses: string[] = [];
      let dnsReported = literal;
      socket.on('lookup', (err: Error | null, address: string) => {
        if (err === null) addresses.push(address);
      });
      socket.on('connectionAttempt', (ip: string, port: number) => {
        if (!dnsReported) {
          dnsReported = true;
          emit(trace, 'dnsDone', { addresses, err: null });
        }
        addr = joinHostPort(ip, port);
        attemptOpen = true;
        emit(trace, 'connectStart', 'tcp', addr);
      });
      socket.on('connectionAttemptFailed', (ip: string, port: number, _family: number, err: Error) => {
        attemptOpen = false;
        emit(trace, 'connectDone', 'tcp', joinHostPort(ip, port), err);
      });
    }
    socket.setNoDelay(true);
    if (opts.tcpKeepAlive > 0) socket.setKeepAlive(true, opts.tcpKeepAlive);
    const onError = (err: NodeJS.ErrnoException): void => fail(mapDialError(err, hop));
    socket.on('error', onError);
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      attemptOpen = false;
      emit(trace, 'connectDone', network, addr, null);
      socket.removeListener('error', onError);
      resolve({ socket, reader });
    });
  });
}

function joinHostPort(ip: string, port: number): string {
  return net.isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function mapDialError(err: NodeJS.ErrnoException, hop: Hop): HttpoolError {
  const code = err.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME') {
    return new ConnectError('ERR_DNS', `cannot resolve ${hop.hostname} (${code})`, { cause: err });
  }
  return new ConnectError('ERR_CONNECT', `cannot connect to ${hop.hostPort}${code ? ` (${code})` : ''}: ${err.message}`, { cause: err });
}
