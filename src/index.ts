// httpool's public API: re-exports only. See README.md and shared/API.md for the contract.

export { Transport, type RoundTripper } from './transport/transport.js';
export type {
  TransportOptions,
  ProxyFunc,
  DialFunc,
  DialTLSFunc,
  DialArgs,
  DialTLSArgs,
  GetProxyConnectHeaderFunc,
  OnProxyConnectResponseFunc,
  ProxyConnectRequest,
  ProxyConnectResponse,
} from './transport/options.js';
export { Client, DEFAULT_TIMEOUT, type ClientOptions, type CallInit } from './client/client.js';
export type { RetryOptions } from './client/retry-policy.js';
export { defaultClient, get, head, post, postForm } from './client/default-client.js';
export { useLastResponse, type CheckRedirect } from './client/redirect.js';
export { fetch, createFetch } from './client/fetch/fetch.js';
export { proxyFromEnvironment, envProxy } from './proxy/environment.js';
export type { CookieJarLike } from './client/jar.js';
export { CookieJar, type JarCookie } from './client/cookies.js';
export { Request, type RequestInit, type RequestTimeouts } from './request.js';
export { RequestBody, type BodyInit } from './request-body.js';
export { Response, type ResponseParts, type ResponseBodyInit } from './response.js';
export type { ConnAddress, TLSState } from './conn-info.js';
export { Body } from './body.js';
export { Headers, type HeadersInit } from './headers.js';
export type { ClientTrace, GotConnInfo, WroteRequestInfo, DNSDoneInfo, TLSHandshakeInfo, RetryInfo, ProgressInfo, ConnectionMessage } from './trace.js';
export type {
  RequestTimings,
  RequestStartMessage,
  RequestHeadersMessage,
  RequestEndMessage,
  RequestErrorMessage,
  RequestRedirectMessage,
} from './request-events.js';
export type { TransportStats, HostStats, CloseReason } from './stats.js';
export type { PoolAdvice, PoolAdviceCode, PoolAdviceOption } from './advice/types.js';
export {
  HttpoolError,
  TimeoutError,
  AbortedError,
  ConnectError,
  ProtocolError,
  ConnectionError,
  InvalidRequestError,
  BodyError,
  RedirectError,
  TransportClosedError,
  TlsError,
  ProxyError,
  type ErrorCode,
  type TimeoutKind,
} from './errors.js';
