// A user's own dialer (the `dial` and `dialTLS` options: Go's DialContext and DialTLSContext)
// as the first stage of dial.ts. The dialer gets the first hop and a signal; what it returns is
// waited for until connected (and, for dialTLS, secured, as Go finishes the handshake "in case
// DialTLS didn't"), with the connect and TLS trace hooks around it. Once the stage is given up
// (dialTimeout, the Transport closing), the signal aborts and a socket the dialer still returns
// is destroyed: a slow or stuck dialer leaves nothing behind.

import { setMaxListeners } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { ConnectError, HttpoolError, TimeoutError, TransportClosedError } from '../errors.js';
import { emit, type TraceCtx } from '../trace.js';
import type { Hop } from './dial.js';
import type { DialFunc, DialTLSFunc } from './options.js';
import { tlsError, type TlsTarget } from './tls.js';

/** How a user's dialer is called: plain, or for an https:// target with TLS included. */
export type UserDialer = { kind: 'dial'; fn: DialFunc } | { kind: 'dialTLS'; fn: DialTLSFunc; target: TlsTarget; alpn: string[] };

export async function userDial(
  dialer: UserDialer,
  hop: Hop,
  closing: AbortSignal,
  tcpKeepAlive: number,
  trace: TraceCtx | null,
  onCancel: (fn: () => void) => void,
): Promise<Duplex> {
  const what = `${dialer.kind} ${hop.hostPort}`;
  const abort = new AbortController();
  let gaveUp = false;
  let socket: Duplex | null = null;
  let stop!: (err: HttpoolError) => void;
  const stopped = new Promise<never>((_, reject) => {
    stop = (err) => {
      if (gaveUp) return;
      gaveUp = true;
      abort.abort(err);
      socket?.destroy();
      reject(err);
    };
  });
  stopped.catch(() => {});
  onCancel(() => stop(new TimeoutError('ERR_TIMEOUT', `${what} timed out`, { timeout: 'dial' })));
  const onClosing = (): void => stop(new TransportClosedError('ERR_TRANSPORT_CLOSED', `transport closed during ${what}`));
  // One listener per dial under way, and a cold burst has as many dials as requests: more than
  // EventTarget's default of 10 is no leak.
  setMaxListeners(0, closing);
  if (closing.aborted) onClosing();
  else closing.addEventListener('abort', onClosing, { once: true });
  const until = <T>(p: Promise<T>): Promise<T> => Promise.race([p, stopped]);

  let phase: 'connect' | 'tls' = 'connect';
  emit(trace, 'connectStart', 'tcp', hop.hostPort);
  try {
    const returned = call(dialer, hop, abort.signal);
    // Settles after the stage was given up: nobody will use the socket.
    returned.then((s) => void (gaveUp && destroyQuietly(s)), () => {});
    socket = asDuplex(await until(returned), what);
    if (socket instanceof net.Socket) {
      if (socket.connecting) await until(event(socket, 'connect', what));
      // As on httpool's own sockets (and Go's Dialer's defaults): no Nagle delay, keep-alive probes.
      socket.setNoDelay(true);
      if (tcpKeepAlive > 0) socket.setKeepAlive(true, tcpKeepAlive);
    }
    emit(trace, 'connectDone', 'tcp', hop.hostPort, null);
    if (dialer.kind === 'dialTLS') {
      phase = 'tls';
      emit(trace, 'tlsHandshakeStart');
      // getFinished() is undefined until the handshake has completed.
      if (socket instanceof tls.TLSSocket && socket.getFinished() === undefined) await until(event(socket, 'secureConnect', what));
      emit(trace, 'tlsHandshakeDone', handshakeInfo(socket), null);
    }
    return socket;
  } catch (err) {
    socket?.destroy();
    const e =
      err instanceof HttpoolError
        ? err
        : phase === 'tls' && dialer.kind === 'dialTLS'
          ? tlsError(err as NodeJS.ErrnoException, dialer.target)
          : dialFailed(err, what);
    if (phase === 'connect') emit(trace, 'connectDone', 'tcp', hop.hostPort, e);
    else emit(trace, 'tlsHandshakeDone', { protocol: null, alpn: null, resumed: false }, e);
    throw e;
  } finally {
    closing.removeEventListener('abort', onClosing);
  }
}

/** The dialer's answer as a promise, a synchronous throw included. */
function call(dialer: UserDialer, hop: Hop, signal: AbortSignal): Promise<unknown> {
  try {
    if (dialer.kind === 'dial') return Promise.resolve(dialer.fn({ hostname: hop.hostname, port: hop.port, signal }));
    const { target, alpn } = dialer;
    return Promise.resolve(dialer.fn({ hostname: hop.hostname, port: hop.port, servername: sni(target.servername), alpn: [...alpn], signal }));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** RFC 6066: no SNI for an IP literal (as tls.ts sends it). */
function sni(servername: string): string {
  return net.isIP(servername) === 0 ? servername : '';
}

function asDuplex(value: unknown, what: string): Duplex {
  const d = value as Partial<Duplex> | null;
  const streamLike =
    typeof d === 'object' && d !== null && [d.on, d.write, d.end, d.destroy, d.pause, d.resume].every((f) => typeof f === 'function');
  if (!streamLike) {
    destroyQuietly(value);
    throw new ConnectError('ERR_CONNECT', `${what} returned ${value === null ? 'null' : typeof value}, not a Duplex stream`);
  }
  if (d.destroyed === true) throw new ConnectError('ERR_CONNECT', `${what} returned a destroyed socket`);
  return d as Duplex;
}

/** Waits for `name`; an error or a close first rejects. */
function event(socket: Duplex, name: 'connect' | 'secureConnect', what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null): void => {
      socket.removeListener(name, onEvent);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      if (err === null) resolve();
      else reject(err);
    };
    const onEvent = (): void => done(null);
    const onError = (err: Error): void => done(err);
    const onClose = (): void => done(new ConnectError('ERR_CONNECT', `${what}: the socket closed before it was ${name === 'connect' ? 'connected' : 'secured'}`));
    socket.once(name, onEvent);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

function handshakeInfo(socket: Duplex): { protocol: string | null; alpn: string | null; resumed: boolean } {
  if (!(socket instanceof tls.TLSSocket)) return { protocol: null, alpn: null, resumed: false };
  const alpn = socket.alpnProtocol;
  return { protocol: socket.getProtocol(), alpn: typeof alpn === 'string' ? alpn : null, resumed: socket.isSessionReused() };
}

function dialFailed(err: unknown, what: string): ConnectError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectError('ERR_CONNECT', `${what} failed${typeof code === 'string' ? ` (${code})` : ''}: ${message}`, { cause: err });
}

function destroyQuietly(value: unknown): void {
  const d = value as { destroy?: unknown } | null;
  if (typeof d === 'object' && d !== null && typeof d.destroy === 'function') (d as Duplex).destroy();
}
