// The one warning for a response body that was dropped without being read or closed (seed 003).
// It names where the request was made, once per process: enough to find the leak, not a flood.
// After it is given, call sites are no longer captured, so a leaking program pays nothing more.

let warned = false;

/** Where the caller made the request, or null once the warning has been given. */
export function captureCallSite(): Error | null {
  if (warned) return null;
  const holder = new Error('response body dropped without being read or closed');
  return holder;
}

export function warnLeak(callSite: Error | null): void {
  if (warned) return;
  warned = true;
  const where = callSite?.stack?.split('\n').slice(1).join('\n') ?? '    (call site not recorded)';
  process.emitWarning(
    `a response body was garbage-collected before it was read to the end or closed; its connection was closed ('body-leaked'). Read the body or call res.body.close(). The request was made at:\n${where}`,
    { type: 'HttpoolLeakWarning', code: 'HTTPOOL_BODY_LEAKED' },
  );
}

/** Tests only: allow the warning again. */
export function resetLeakWarning(): void {
  warned = false;
}
