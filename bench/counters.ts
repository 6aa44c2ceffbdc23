// What the server child counts, across all its listeners: the parent reads the totals before
// and after each client's run, so the difference is that client's (only one runs at a time).

export interface Counters {
  /** TCP connections accepted (TLS or not; one HTTP/2 session is one connection). */
  connections: number;
  /** Requests answered (HTTP/1.1 request heads, HTTP/2 streams). */
  requests: number;
}

export const counters: Counters = { connections: 0, requests: 0 };
