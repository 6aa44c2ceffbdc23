// Close reasons as the report draws them: one color and one short meaning each (the meanings
// are src/stats.ts's). Hues group by what the reason says about the caller: blue-greens for a
// pool retiring connections on purpose, ambers for churn a setting or the server caused, reds
// for failures and leaks. Unknown reasons (a newer library) get a neutral grey.

export interface ReasonStyle {
  color: string;
  meaning: string;
}

export const REASONS: Readonly<Record<string, ReasonStyle>> = {
  'idle-timeout': { color: '#2a9d8f', meaning: 'idle longer than idleConnTimeout' },
  'server-idle-limit': { color: '#219ebc', meaning: "retired just before the server's known idle limit" },
  'idle-too-long': { color: '#48cae4', meaning: 'idle longer than a POST (or a retry) accepts: unreplayableMaxIdle' },
  'idle-closed': { color: '#6a8caf', meaning: 'closeIdleConnections()' },
  'transport-closed': { color: '#577590', meaning: 'transport.close()' },
  upgraded: { color: '#7b9e3a', meaning: '101 Switching Protocols: the socket went to the caller' },
  'idle-pool-full': { color: '#f4a261', meaning: 'handed back to a full idle pool (maxIdleConnsPerHost / maxIdleConns)' },
  'keepalives-disabled': { color: '#e9c46a', meaning: 'disableKeepAlives: one request per connection' },
  'connection-close': { color: '#d4a017', meaning: 'the response said Connection: close' },
  'server-closed': { color: '#b5838d', meaning: 'the server closed it while idle' },
  'body-not-drained': { color: '#e76f51', meaning: 'a body closed early with too much left to drain' },
  'body-leaked': { color: '#9d0208', meaning: 'a body garbage-collected unread and unclosed' },
  'body-too-large': { color: '#c1121f', meaning: 'a decoded body passed maxDecodedBytes or maxDecodeRatio' },
  'read-error': { color: '#d62828', meaning: 'the socket failed or closed mid-response' },
  'write-error': { color: '#ae2012', meaning: 'the socket failed while the request was written' },
  'request-incomplete': { color: '#bb3e03', meaning: 'the response came before the request body was sent' },
  'protocol-error': { color: '#7b2cbf', meaning: 'the server broke HTTP/1.1 framing or syntax' },
  timeout: { color: '#9b5de5', meaning: 'a timeout fired while the connection was in use' },
  aborted: { color: '#c77dff', meaning: "the caller's signal fired while the connection was in use" },
};

/** A connection still open when recording stopped. */
export const OPEN_COLOR = '#adb5bd';
export const UNKNOWN_COLOR = '#6c757d';
/** Request bars: the first request on a fresh connection, and a reused connection's. */
export const FIRST_REQUEST_COLOR = '#1d3557';
export const REUSED_REQUEST_COLOR = '#4f86c6';

export function reasonColor(reason: string): string {
  return REASONS[reason]?.color ?? UNKNOWN_COLOR;
}
