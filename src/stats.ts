// Counters and close reasons, per pool key and summed. The pool owns one HostCounters per key;
// transport.stats() snapshots them. A close reason is a stable string: users alert on them.

export type CloseReason =
  | 'body-not-drained'    // early close with more left than maxDrainBytes/drainTimeout allowed
  | 'idle-pool-full'      // returned to a full idle pool (per host or across hosts, LRU evicted)
  | 'idle-timeout'        // idle longer than idleConnTimeout
  | 'idle-too-long'       // idle longer than a request that could not be sent twice (or a retry) accepts: unreplayableMaxIdle
  | 'server-idle-limit'   // retired before the server's announced or learned idle limit
  | 'server-closed'       // the server sent FIN/RST (or an idle 408) while the connection was idle
  | 'connection-close'    // the response said Connection: close, or its body was close-delimited
  | 'protocol-error'      // the server broke HTTP/1.1 framing or syntax
  | 'read-error'          // the socket failed or closed mid-response
  | 'write-error'         // the socket failed while the request was written
  | 'request-incomplete'  // the response arrived before the request body was fully sent
  | 'timeout'             // a timeout fired while the connection was in use
  | 'aborted'             // the caller's signal fired while the connection was in use
  | 'keepalives-disabled' // disableKeepAlives: one request per connection
  | 'transport-closed'    // transport.close()
  | 'idle-closed'         // transport.closeIdleConnections()
  | 'body-leaked'         // the response was garbage-collected with its body unread and unclosed
  | 'body-too-large'      // a compressed body decoded past maxDecodedBytes or maxDecodeRatio
  | 'decode-error'        // a compressed body was corrupt while it was still arriving
  | 'upgraded'            // 101 Switching Protocols: the socket now belongs to the caller (res.upgrade)
  | 'goaway'              // HTTP/2: the server sent GOAWAY; the session finished its streams and closed
  | 'surplus'             // HTTP/2: dialed for a request another session served, while one still had room
  | 'health-check-failed'; // HTTP/2: an idle session did not answer PING in time

export interface HostStats {
  /** Connections serving a request now. */
  active: number;
  /** Connections waiting in the idle pool now. */
  idle: number;
  /** Dials in flight now. */
  dialing: number;
  /** Requests waiting for a connection now. */
  waiting: number;
  /** Requests sent (every attempt, retries included). */
  requests: number;
  /** Of those, how many went out on a connection that had served a request before. */
  reused: number;
  /** Connections ever opened. */
  opened: number;
  /**
   * Retries by a Client's `retry` policy (counted in `requests` too when sent). Go's own retry of
   * a dead reused connection is not among them. Only Clients over this Transport count here.
   */
  retries: number;
  /** Retries that policy wanted but the Client's retry budget refused (the attempt's answer was returned). */
  retriesRefused: number;
  /** Why each connection ended. */
  closed: Partial<Record<CloseReason, number>>;
}

export interface TransportStats {
  /** Hosts with something open, then up to `maxHostStats` of the most recent with nothing open. */
  hosts: Record<string, HostStats>;
  /** Every host's counters, those of `unlisted` included. */
  totals: HostStats;
  /** The summed counters of hosts no longer listed (past `maxHostStats` with nothing open). */
  unlisted: HostStats;
  /** How many hosts `unlisted` sums. */
  unlistedHosts: number;
}

export function emptyStats(): HostStats {
  return { active: 0, idle: 0, dialing: 0, waiting: 0, requests: 0, reused: 0, opened: 0, retries: 0, retriesRefused: 0, closed: {} };
}

export function addStats(into: HostStats, from: HostStats): void {
  into.active += from.active;
  into.idle += from.idle;
  into.dialing += from.dialing;
  into.waiting += from.waiting;
  into.requests += from.requests;
  into.reused += from.reused;
  into.opened += from.opened;
  into.retries += from.retries;
  into.retriesRefused += from.retriesRefused;
  for (const k of Object.keys(from.closed) as CloseReason[]) {
    into.closed[k] = (into.closed[k] ?? 0) + (from.closed[k] ?? 0);
  }
}
