// What a response (res.tls, res.localAddress, res.remoteAddress) and the gotConn trace hook tell
// about the connection that carried a request: Go's Response.TLS (a tls.ConnectionState) and
// GotConnInfo.Conn's LocalAddr/RemoteAddr. The transport (transport/transport.ts) makes one per
// connection, HTTP/1.1 or HTTP/2, from the socket dial.ts returned.
//
// The addresses and the TLS parameters are read once, when the connection opens: Go's netFD keeps
// laddr/raddr from connect and persistConn keeps tlsState from the handshake, and Node forgets
// them once the socket is closed (a response read after its connection closed would otherwise
// find nothing). The TLSState object and the certificate chain are built only when first asked
// for. Nothing here runs per request.

import type { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';

/** One end of a TCP connection (Go's *net.TCPAddr). */
export interface ConnAddress {
  /** '127.0.0.1', '::1' */
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

/** The TLS session of an https:// connection (Go's tls.ConnectionState, the parts callers check). */
export interface TLSState {
  /** 'TLSv1.3', 'TLSv1.2' (Go's Version). */
  readonly protocol: string | null;
  /** The cipher suite's IANA name, e.g. 'TLS_AES_128_GCM_SHA256' (Go's CipherSuite). */
  readonly cipher: string | null;
  /** The ALPN protocol agreed, 'h2' or 'http/1.1', or null (Go's NegotiatedProtocol). */
  readonly alpnProtocol: string | null;
  /** The server name sent as SNI, or null (none for an IP literal; Go's ServerName). */
  readonly servername: string | null;
  /** The session was resumed rather than fully negotiated (Go's DidResume). */
  readonly resumed: boolean;
  /** The server's certificate chain as it sent it, leaf first (Go's PeerCertificates). */
  readonly peerCertificates: readonly X509Certificate[];
}

/** What was read from a TLS socket when its connection opened. */
interface TlsSnapshot {
  protocol: string | null;
  cipher: string | null;
  alpn: string | null;
  servername: string | null;
  resumed: boolean;
  leaf: X509Certificate | null;
}

export class ConnInfo {
  /** This side's address, or null when the connection is not TCP (socketPath, a Duplex of a user's dial). */
  readonly localAddress: ConnAddress | null;
  /** The peer's address (the proxy's, through a proxy), or null when not TCP. */
  readonly remoteAddress: ConnAddress | null;
  readonly #tls: TlsSnapshot | null;
  #state: TLSState | null = null;

  constructor(socket: Duplex) {
    const s = socket as Partial<Socket>;
    this.remoteAddress = address(s.remoteAddress, s.remotePort, s.remoteFamily);
    this.localAddress = address(s.localAddress, s.localPort, s.localFamily);
    this.#tls = isTls(socket) ? snapshot(socket) : null;
  }

  /** The TLS session, or null for a connection without TLS to the target. */
  get tls(): TLSState | null {
    const t = this.#tls;
    if (t === null) return null;
    return (this.#state ??= Object.freeze({
      protocol: t.protocol,
      cipher: t.cipher,
      alpnProtocol: t.alpn,
      servername: t.servername,
      resumed: t.resumed,
      peerCertificates: Object.freeze(chainOf(t.leaf)),
    }));
  }
}

function address(ip: string | undefined, port: number | undefined, family: string | undefined): ConnAddress | null {
  if (typeof ip !== 'string' || typeof port !== 'number' || (family !== 'IPv4' && family !== 'IPv6')) return null;
  return Object.freeze({ address: ip, port, family });
}

function isTls(socket: Duplex): socket is TLSSocket {
  return (socket as Partial<TLSSocket>).encrypted === true && typeof (socket as Partial<TLSSocket>).getCipher === 'function';
}

function snapshot(socket: TLSSocket): TlsSnapshot {
  const cipher = socket.getCipher() as { standardName?: string; name?: string } | null;
  const servername = socket.servername;
  const alpn = socket.alpnProtocol;
  return {
    protocol: socket.getProtocol(),
    cipher: cipher?.standardName ?? cipher?.name ?? null,
    alpn: typeof alpn === 'string' ? alpn : null,
    servername: typeof servername === 'string' && servername !== '' ? servername : null,
    resumed: socket.isSessionReused(),
    leaf: socket.getPeerX509Certificate() ?? null,
  };
}

/** The leaf and the issuers the server sent after it; a self-signed certificate ends the walk. */
function chainOf(leaf: X509Certificate | null): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let cert: X509Certificate | undefined = leaf ?? undefined;
  while (cert !== undefined && chain.length < 16) {
    chain.push(cert);
    const issuer: X509Certificate | undefined = cert.issuerCertificate;
    if (issuer === undefined || issuer.fingerprint256 === cert.fingerprint256) break;
    cert = issuer;
  }
  return chain;
}
