// MockTransport's fail(code): the error httpool itself would raise for that code, of the same
// class (ConnectError for ERR_CONNECT, TimeoutError for ERR_TIMEOUT…), so code under test sees
// exactly what the network would give it.

import {
  AbortedError,
  BodyError,
  ConnectError,
  ConnectionError,
  HttpoolError,
  InvalidRequestError,
  ProtocolError,
  ProxyError,
  RedirectError,
  TimeoutError,
  TlsError,
  TransportClosedError,
  type ErrorCode,
} from '../errors.js';

const FAILURES: Partial<Record<ErrorCode, new (code: ErrorCode, message: string) => HttpoolError>> = {
  ERR_TIMEOUT: TimeoutError,
  ERR_ABORTED: AbortedError,
  ERR_CONNECT: ConnectError,
  ERR_DNS: ConnectError,
  ERR_TLS: TlsError,
  ERR_PROTOCOL: ProtocolError,
  ERR_HEADERS_TOO_LARGE: ProtocolError,
  ERR_DECODE: ProtocolError,
  ERR_CONNECTION_CLOSED: ConnectionError,
  ERR_READ: ConnectionError,
  ERR_WRITE: ConnectionError,
  ERR_BODY_NOT_REPLAYABLE: BodyError,
  ERR_BODY_CONSUMED: BodyError,
  ERR_BODY_TOO_LARGE: BodyError,
  ERR_BODY_LEAKED: BodyError,
  ERR_INVALID_BODY: BodyError,
  ERR_TOO_MANY_REDIRECTS: RedirectError,
  ERR_REDIRECT: RedirectError,
  ERR_INVALID_METHOD: InvalidRequestError,
  ERR_INVALID_HEADER: InvalidRequestError,
  ERR_INVALID_URL: InvalidRequestError,
  ERR_INVALID_OPTION: InvalidRequestError,
  ERR_TRANSPORT_CLOSED: TransportClosedError,
};

export function failure(code: ErrorCode, message: string): HttpoolError {
  if (code === 'ERR_PROXY') return new ProxyError(message, 0);
  const Class = FAILURES[code] ?? HttpoolError;
  return new Class(code, message);
}

