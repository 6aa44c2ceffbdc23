// What the Node server child counts, across all its listeners: the parent reads the totals
// before and after each client's run, so the difference is that client's (only one runs at a
// time). nginx's equivalent comes from its stub_status page (bench/nginx.ts).

export interface Counters {
  /** TCP connections accepted (TLS or not; one HTTP/2 session is one connection). */
  connections: number;
  /** Requests answered or being answered (HTTP/1.1 request heads, HTTP/2 streams). */
  requests: number;
  /** /slow requests whose answer is still held back (the in-flight memory measurement waits for these). */
  parked: number;
}

export const counters: Counters = { connections: 0, requests: 0, parked: 0 };
