// Apache's event MPM under load: when a kept-alive connection has a request and no worker is
// idle, the listener closes its queued keep-alive connections, all at once, to make room
// ("workers_were_busy" in server/mpm/event/event.c). A client that writes to one of them at that
// moment gets no response: an idempotent request goes again on another connection, a POST
// cannot (seed 005's failure in its harshest shape).
//
// Each round: a wave of requests leaves `wave` connections idle in the pool; another client
// takes every worker with slow CGI requests; then a wave of GETs and POSTs (alternating) goes
// out on the idle connections while the workers are busy. Bounded by `rounds`.
//
// The driver takes a minimal client so that bench/apache-post-race.ts can run it with another
// build of httpool (the base commit) for a before/after figure.

export interface MiniResponse {
  statusCode: number;
  body: { text(): Promise<string> };
}

export interface MiniClient {
  get(url: string): Promise<MiniResponse>;
  post(url: string, contentType: string, body: string): Promise<MiniResponse>;
}

export interface BusyOptions {
  origin: string;
  getPath: string;
  postPath(id: string): string;
  slowPath(seconds: number): string;
  /** The client under test. */
  client: MiniClient;
  /** Another client (its own Transport) for the slow requests that take the workers. */
  loader: MiniClient;
  /** Apache's worker count: this many slow requests take them all. */
  workers: number;
  rounds: number;
  wave: number;
  /** How long each slow request holds its worker, seconds. */
  slowSeconds: number;
  /** Prefix for the POST ids. */
  tag: string;
}

export interface BusyResult {
  gets: number;
  getErrors: string[];
  postsSent: string[];
  postsAnswered: string[];
  postErrors: Array<{ id: string; code: string }>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The requests of a race: `one(i)` sends a GET for even i and a POST with a fresh id for odd i,
 * recording each outcome in `result` (shared by this file's busy shape and the bench's idle one).
 */
export function raceRequests(o: Pick<BusyOptions, 'client' | 'origin' | 'getPath' | 'postPath' | 'tag'>): { result: BusyResult; one(i: number): Promise<void> } {
  const r: BusyResult = { gets: 0, getErrors: [], postsSent: [], postsAnswered: [], postErrors: [] };
  let n = 0;
  const one = async (i: number): Promise<void> => {
    if (i % 2 === 0) {
      r.gets++;
      try {
        const res = await o.client.get(o.origin + o.getPath);
        await res.body.text();
        if (res.statusCode !== 200) r.getErrors.push(`GET ${res.statusCode}`);
      } catch (err) {
        r.getErrors.push(`GET: ${(err as Error).message}`);
      }
      return;
    }
    const id = `${o.tag}-${n++}`;
    r.postsSent.push(id);
    try {
      const res = await o.client.post(o.origin + o.postPath(id), 'text/plain', `body of ${id}`);
      await res.body.text();
      r.postsAnswered.push(id);
    } catch (err) {
      r.postErrors.push({ id, code: (err as { code?: string }).code ?? String(err) });
    }
  };
  return { result: r, one };
}

export async function apacheBusyRace(o: BusyOptions): Promise<BusyResult> {
  const { result: r, one } = raceRequests(o);
  for (let round = 0; round < o.rounds; round++) {
    // Fill the pool: `wave` connections, idle once this settles.
    await Promise.all(Array.from({ length: o.wave }, () => o.client.get(o.origin + o.getPath).then((res) => res.body.text())));
    await sleep(20);
    // Take every worker.
    const slow = Array.from({ length: o.workers }, () => o.loader.get(o.origin + o.slowPath(o.slowSeconds)).then((res) => res.body.text()));
    await sleep(100);
    // Requests on the idle connections while no worker is free.
    await Promise.all(Array.from({ length: o.wave }, (_, i) => one(i)));
    await Promise.all(slow);
  }
  return r;
}
