// The TLS layer of a dial: a handshake over an open socket (to the target, or to an https://
// proxy), with SNI, the Transport's `tls` options, ALPN, session resumption, and errors that
// say what went wrong: ERR_TLS for a failed handshake, with a plain-HTTP answer on a TLS port
// named as such (Go: "server gave HTTP response to HTTPS client").

import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { TlsError } from '../errors.js';
import { emit, type TraceCtx } from '../trace.js';

/**
 * Session tickets per server, so a new connection resumes instead of a full handshake. Bounded:
 * the oldest server is forgotten first.
 */
export class TlsSessions {
  readonly #max: number;
  readonly #map = new Map<string, Buffer>();
  constructor(max = 256) {
    this.#max = max;
  }
  get(key: string): Buffer | undefined {
    return this.#map.get(key);
  }
  set(key: string, session: Buffer): void {
    this.#map.delete(key);
    this.#map.set(key, session);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }
}

export interface TlsTarget {
  hostname: string;
  port: number;
  /** What to verify and send as SNI; the hostname unless overridden. */
  servername: string;
}

/** tls.connect() options for a handshake with `target` (the caller adds `socket`, or host and port). */
export function tlsOptions(target: TlsTarget, options: tls.ConnectionOptions, alpn: string[], sessions: TlsSessions): tls.ConnectionOptions {
  const session = sessions.get(sessionKey(target));
  return {
    ...options,
    host: target.hostname,
    // RFC 6066: no SNI for IP literals; the certificate is still checked against the IP.
    servername: net.isIP(target.servername) === 0 ? target.servername : '',
    ALPNProtocols: alpn,
    ...(session !== undefined ? { session } : {}),
  };
  // checkServerIdentity takes the host from `servername`, falling back to `host`: an override
  // of servername (options.servername) verifies the certificate against it, as Go's ServerName does.
}

/** A handshake over an open socket (to an https:// proxy, through a tunnel, or over a user's dial). */
export function startTls(
  socket: Duplex,
  target: TlsTarget,
  options: tls.ConnectionOptions,
  alpn: string[],
  sessions: TlsSessions,
  trace: TraceCtx | null,
  onCancel: (fn: () => void) => void = () => {},
): Promise<tls.TLSSocket> {
  emit(trace, 'tlsHandshakeStart');
  return handshake(tls.connect({ ...tlsOptions(target, options, alpn, sessions), socket }), target, sessions, trace, onCancel);
}

/**
 * The handshake of a TLS socket under way (made by startTls, or by tls.connect with its own TCP
 * connection, dial.ts): resolves on secureConnect, remembering the session for next time.
 * The caller has emitted tlsHandshakeStart.
 */
export function handshake(
  t: tls.TLSSocket,
  target: TlsTarget,
  sessions: TlsSessions,
  trace: TraceCtx | null,
  onCancel: (fn: () => void) => void = () => {},
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const key = sessionKey(target);
    onCancel(() => t.destroy());
    t.on('session', (s: Buffer) => sessions.set(key, s));
    const onError = (err: NodeJS.ErrnoException): void => {
      t.destroy();
      const e = tlsError(err, target);
      emit(trace, 'tlsHandshakeDone', { protocol: null, alpn: null, resumed: false }, e);
      reject(e);
    };
    t.once('error', onError);
    t.once('secureConnect', () => {
      t.removeListener('error', onError);
      const alpnProto = t.alpnProtocol;
      emit(trace, 'tlsHandshakeDone', { protocol: t.getProtocol(), alpn: typeof alpnProto === 'string' ? alpnProto : null, resumed: t.isSessionReused() }, null);
      resolve(t);
    });
  });
}

function sessionKey(target: TlsTarget): string {
  return `${target.servername}|${target.hostname}:${target.port}`;
}

export function tlsError(err: NodeJS.ErrnoException, target: TlsTarget): TlsError {
  const where = `${target.hostname}:${target.port}`;
  if (err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || err.code === 'ERR_SSL_HTTP_REQUEST') {
    return new TlsError('ERR_TLS', `server gave an HTTP response to an HTTPS request: ${where} does not speak TLS (is it an http:// port?)`, { cause: err });
  }
  return new TlsError('ERR_TLS', `TLS handshake with ${where} failed${err.code ? ` (${err.code})` : ''}: ${err.message}`, { cause: err });
}
