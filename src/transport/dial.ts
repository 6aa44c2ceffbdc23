// Opening a TCP (and for https, TLS) connection for a pool key, with dialTimeout and
// tlsHandshakeTimeout. Errors come back typed: ERR_DNS, ERR_CONNECT, ERR_TIMEOUT.

import * as net from 'node:net';
import * as tls from 'node:tls';
import { ConnectError, TimeoutError, type HttpoolError } from '../errors.js';
import type { ResolvedOptions } from './options.js';
import type { PoolKey } from './key.js';
import { emit, type TraceCtx } from '../trace.js';

/**
 * Where a plain TCP socket delivers what it reads. Node's `onread` fills one reused buffer per
 * connection instead of allocating a Buffer per read and pushing it through a Readable stream;
 * the reader must copy whatever it keeps past the call.
 */
export interface ReadInto {
  fn: ((buf: Buffer) => void) | null;
  /** Chooses the buffer for the next read: `shared`, or a fresh one the reader may keep. */
  buffer: (() => Buffer) | null;
  /** The connection's reused read buffer. */
  readonly shared: Buffer;
}

/**
 * The shared buffer lives as long as its connection, so it is sized for heads and small bodies
 * (a thousand pooled connections hold 16 MB); a large body's reads get fresh, larger buffers.
 */
export const SHARED_READ_BYTES = 16 * 1024;
/** Bytes per read while a large body streams. */
export const BODY_READ_BYTES = 64 * 1024;

export interface Dialed {
  socket: net.Socket;
  /** Set for plain TCP: the conn installs its reader here and must copy what it keeps. */
  reader: ReadInto | null;
}

export function dial(key: PoolKey, opts: ResolvedOptions, trace: TraceCtx | null = null): Promise<Dialed> {
  return new Promise<Dialed>((resolve, reject) => {
    let reader: ReadInto | null = null;
    const literal = net.isIP(key.hostname) !== 0;
    // Go's hooks: DNS only for names, then connectStart/connectDone for every attempt (Node's
    // happy eyeballs tries each address in turn), then TLS.
    let addr = '';
    let attemptOpen = false;
    let connected = false;
    if (trace !== null && !literal) emit(trace, 'dnsStart', { host: key.hostname });
    const host = key.hostname;
    let settled = false;
    let timer: NodeJS.Timeout | null = null;
    const fail = (err: HttpoolError): void => {
      if (settled) return;
      settled = true;
      if (trace !== null) {
        if (attemptOpen) emit(trace, 'connectDone', 'tcp', addr, err);
        else if (connected && key.scheme === 'https') emit(trace, 'tlsHandshakeDone', { protocol: null, alpn: null }, err);
        else if (!literal && addr === '') emit(trace, 'dnsDone', { addresses: [], err });
      }
      if (timer !== null) clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const ok = (): void => {
      if (settled) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve({ socket, reader });
    };
    const onError = (err: NodeJS.ErrnoException): void => fail(mapDialError(err, key));
    let socket: net.Socket;
    if (key.scheme === 'https') {
      socket = tls.connect({
        host,
        port: key.port,
        servername: net.isIP(host) === 0 ? host : undefined,
        ALPNProtocols: ['http/1.1'],
        ...(opts.lookup !== null ? { lookup: opts.lookup } : {}),
        ...opts.tls,
      });
      socket.once('secureConnect', () => {
        if (trace !== null) {
          const tlsSocket = socket as tls.TLSSocket;
          const alpn = tlsSocket.alpnProtocol;
          emit(trace, 'tlsHandshakeDone', { protocol: tlsSocket.getProtocol(), alpn: typeof alpn === 'string' ? alpn : null }, null);
        }
        ok();
      });
    } else {
      // allocUnsafe above Buffer.poolSize/2 gets its own ArrayBuffer: conn.ts relies on that to
      // tell shared-buffer chunks by their backing memory.
      const into: ReadInto = { fn: null, buffer: null, shared: Buffer.allocUnsafe(SHARED_READ_BYTES) };
      reader = into;
      socket = net.connect({
        host,
        port: key.port,
        ...(opts.lookup !== null ? { lookup: opts.lookup } : {}),
        onread: {
          buffer: () => (into.buffer === null ? into.shared : into.buffer()),
          callback: (n: number, buf: Uint8Array) => {
            into.fn?.((buf as Buffer).subarray(0, n));
            return true;
          },
        },
      });
      socket.once('connect', ok);
    }
    if (trace !== null) {
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
        addr = hostPort(ip, port);
        attemptOpen = true;
        emit(trace, 'connectStart', 'tcp', addr);
      });
      socket.on('connectionAttemptFailed', (ip: string, port: number, _family: number, err: Error) => {
        attemptOpen = false;
        emit(trace, 'connectDone', 'tcp', hostPort(ip, port), err);
      });
      socket.once('connect', () => {
        attemptOpen = false;
        connected = true;
        emit(trace, 'connectDone', 'tcp', addr, null);
        if (key.scheme === 'https') emit(trace, 'tlsHandshakeStart');
      });
    }
    socket.setNoDelay(true);
    if (opts.tcpKeepAlive > 0) socket.setKeepAlive(true, opts.tcpKeepAlive);
    socket.on('error', onError);
    const limit = key.scheme === 'https' ? sumTimeouts(opts.dialTimeout, opts.tlsHandshakeTimeout) : opts.dialTimeout;
    if (limit > 0) {
      timer = setTimeout(() => {
        fail(new TimeoutError('ERR_TIMEOUT', `dial ${key.hostPort} timed out after ${limit} ms`));
      }, limit);
    }
  });
}

function hostPort(ip: string, port: number): string {
  return net.isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function sumTimeouts(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : a + b;
}

function mapDialError(err: NodeJS.ErrnoException, key: PoolKey): HttpoolError {
  const code = err.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME') {
    return new ConnectError('ERR_DNS', `cannot resolve ${key.hostname} (${code})`, { cause: err });
  }
  return new ConnectError('ERR_CONNECT', `cannot connect to ${key.hostPort}${code ? ` (${code})` : ''}: ${err.message}`, { cause: err });
}
