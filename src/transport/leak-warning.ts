// The warning for a response body that was dropped without being read or closed (seed 003). It
// names where the request was made, once per process: enough to find the leak, not a flood.
//
// Where a request was made is an Error captured when its head arrives with the body still to
// come, and with the stack that deep in async code, that capture costs about 10 µs: more than a
// whole small request. So call sites are sampled: every one of the first SAMPLE_ALL such
// requests, then one in SAMPLE_EVERY. A leak is nearly always a line of code that leaks every
// time it runs, so its requests are soon sampled. Should a leaked body carry no call site, the
// warning says so and every later request is captured, so the next leak names its place in a
// second, last warning. After the warning with a place, nothing is captured any more.

const SAMPLE_ALL = 256;
const SAMPLE_EVERY = 64;

let candidates = 0;
/** A leak was seen without a call site: capture every request until one is located. */
let captureAll = false;
let warnedUnlocated = false;
let warned = false;

/** Where the caller made the request, or null when this request is not sampled. */
export function captureCallSite(): Error | null {
  if (warned) return null;
  const n = candidates++;
  if (!captureAll && n >= SAMPLE_ALL && n % SAMPLE_EVERY !== 0) return null;
  return new Error('response body dropped without being read or closed');
}

export function warnLeak(callSite: Error | null): void {
  if (warned) return;
  if (callSite === null) {
    captureAll = true;
    if (warnedUnlocated) return;
    warnedUnlocated = true;
    emitLeakWarning("Where the request was made was not recorded (call sites are sampled); the next leaked body's will be reported.");
    return;
  }
  warned = true;
  emitLeakWarning(`The request was made at:\n${callSite.stack?.split('\n').slice(1).join('\n') ?? '    (no stack)'}`);
}

function emitLeakWarning(where: string): void {
  process.emitWarning(
    `a response body was garbage-collected before it was read to the end or closed; its connection was closed ('body-leaked'). Read the body or call res.body.close(). ${where}`,
    { type: 'HttpoolLeakWarning', code: 'HTTPOOL_BODY_LEAKED' },
  );
}

/** Tests only: back to the start (sampling from request one, no warning given). */
export function resetLeakWarning(candidatesSoFar = 0): void {
  candidates = candidatesSoFar;
  captureAll = false;
  warnedUnlocated = false;
  warned = false;
}
