// What the keep-alive race tests (race.ts) need of a real server, whichever program it is.

export interface RealServer {
  name: string;
  /** Plain HTTP/1.1: http://127.0.0.1:PORT. */
  http: string;
  /** TLS offering h2 and http/1.1 by ALPN, https://localhost:PORT (the test certificate's name), or null. */
  https: string | null;
  /** The idle keep-alive limit the server was configured with, ms. */
  idleMs: number;
  /** Requests the server serves on one connection before closing it (0: no limit configured). */
  maxRequests: number;
  /** A GET answered 200 with a small body. */
  getPath: string;
  /** A POST whose id the server records (its access log, or the Go backend's output). */
  postPath(id: string): string;
  /** Status the server answers that POST with. */
  postStatus: number;
  /**
   * Stops the server (and whatever it forked; fails if a process is left), reads the POST ids
   * it saw, in order, duplicates kept, and removes its temp directory.
   */
  finish(): Promise<string[]>;
}

/** The ids in lines like `POST /post?id=ID ...` (an access log) or `POST ID` (the Go server's output). */
export function postIds(text: string, pattern: RegExp): string[] {
  const ids: string[] = [];
  for (const m of text.matchAll(pattern)) ids.push(m[1]!);
  return ids;
}
