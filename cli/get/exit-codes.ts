// Exit statuses of `httpool get|head|post`, curl's numbers where curl has one, so a script
// written for curl (`curl ... || case $? in 6) ...`) keeps working. One table from httpool's
// stable error codes (err.code, never the message) to curl's; the few distinctions the codes do
// not make (proxy or target name, verification or handshake) are made from the error's cause or
// from what the command itself knows.

import { HttpoolError, ProxyError, type ErrorCode } from '../../src/index.js';

export const EXIT = {
  ok: 0,
  /** Anything curl has no number for (curl's 1 is "unsupported protocol"; ours is generic). */
  failure: 1,
  /** A bad command line: curl's CURLE_FAILED_INIT, and every httpool command's usage status. */
  usage: 2,
  malformedUrl: 3,
  proxyResolve: 5,
  resolve: 6,
  connect: 7,
  weirdReply: 8,
  partialFile: 18,
  httpError: 22,
  writeError: 23,
  readError: 26,
  timeout: 28,
  tlsHandshake: 35,
  tooManyRedirects: 47,
  emptyReply: 52,
  sendError: 55,
  recvError: 56,
  clientCert: 58,
  peerVerification: 60,
  badContentEncoding: 61,
  caCertFile: 77,
  proxyHandshake: 97,
} as const;

/** httpool's error codes to curl's exit statuses; codes not listed exit 1. */
const BY_CODE: Partial<Record<ErrorCode, number>> = {
  ERR_DNS: EXIT.resolve,
  ERR_CONNECT: EXIT.connect,
  ERR_TIMEOUT: EXIT.timeout,
  ERR_TLS: EXIT.tlsHandshake,
  ERR_PROXY: EXIT.proxyHandshake,
  ERR_PROTOCOL: EXIT.weirdReply,
  ERR_HEADERS_TOO_LARGE: EXIT.weirdReply,
  ERR_CONNECTION_CLOSED: EXIT.emptyReply,
  ERR_READ: EXIT.recvError,
  ERR_WRITE: EXIT.sendError,
  ERR_DECODE: EXIT.badContentEncoding,
  ERR_TOO_MANY_REDIRECTS: EXIT.tooManyRedirects,
  ERR_INVALID_URL: EXIT.malformedUrl,
};

/**
 * Node's certificate verification codes (OpenSSL's X509_V_ERR_* names, plus the host name
 * check): a TLS failure with one of these as its cause is curl's 60, any other is 35.
 */
const VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_CHAIN_TOO_LONG', 'CERT_REVOKED',
  'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A failure the command itself detects (a file it cannot read, a URL it cannot parse), with its status. */
export class ExitError extends Error {
  /** Found while the command line was read, under -s without -S: the message is not printed (curl's -s). */
  silenced = false;
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A local file a flag names could not be read: "--cacert: cannot read ca.pem: ENOENT". */
export function cannotRead(exitCode: number, flag: string, path: string, err: unknown): ExitError {
  return new ExitError(exitCode, `${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
}

/** What the command knows that the error does not say. */
export interface ExitContext {
  /** The proxy's host name when -x was given (an ERR_DNS for it is curl's 5, not 6). */
  proxyHost: string | null;
  /** The last host name the request resolved (from the dnsStart hook), or null. */
  lastResolved: string | null;
  /** The response head had arrived: a framing failure now is in the body. */
  afterHead: boolean;
}

/** The exit status for an error thrown by a request. */
export function exitCodeFor(err: unknown, ctx: ExitContext): number {
  if (err instanceof ExitError) return err.exitCode;
  if (!(err instanceof HttpoolError)) return EXIT.failure;
  if (err.code === 'ERR_DNS' && ctx.proxyHost !== null && ctx.lastResolved === ctx.proxyHost) return EXIT.proxyResolve;
  // A body cut short (or its chunked framing broken) after a good head: curl's "partial file".
  if (ctx.afterHead && (err.code === 'ERR_PROTOCOL' || err.code === 'ERR_CONNECTION_CLOSED')) return EXIT.partialFile;
  if (err.code === 'ERR_TLS') {
    const cause = (err.cause as { code?: unknown } | undefined)?.code;
    return typeof cause === 'string' && VERIFY_CODES.has(cause) ? EXIT.peerVerification : EXIT.tlsHandshake;
  }
  // curl reports a proxy's HTTP refusal of CONNECT as a receive error (56), everything else
  // the proxy does wrong (SOCKS refusals, a broken answer) as 97.
  if (err instanceof ProxyError && err.statusCode > 0) return EXIT.recvError;
  return BY_CODE[err.code] ?? EXIT.failure;
}

/** The exit-status section of --help: the table above, for people. */
export const EXIT_HELP = `exit status (curl's numbers):
  0 any HTTP response (even 4xx/5xx, unless --fail)   22 --fail and a status of 400 or above
  1 other failure         2 bad command line           3 malformed URL
  5 cannot resolve the proxy    6 cannot resolve the host    7 cannot connect (refused, unreachable)
  8 malformed response head    18 the body was cut short (or its framing broken)
  23 cannot write the output (-o FILE, a closed pipe)
  26 cannot read a local file (-d @FILE, --data-binary @FILE, -F name=@FILE, -w @FILE)
  28 timeout (-m, --connect-timeout, --timeout)     35 TLS handshake failed
  47 too many redirects (-L, --max-redirs)          52 connection closed before a response
  55 sending the request failed    56 receiving failed, or the proxy refused CONNECT (HTTP status)
  58 cannot read --cert/--key     60 server certificate not verified (untrusted, expired, wrong name)
  61 cannot decode the body (gzip/deflate/br)       77 cannot read --cacert
  97 proxy handshake failed (SOCKS5 refusal, broken proxy answer)
`;
