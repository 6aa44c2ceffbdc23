// Everything the bench starts (servers, the Go client, temp dirs) registers its stop here, so
// a failure or Ctrl-C stops it too: the normal path stops each in a `finally`, and the signal
// path runs whatever is still registered, then exits.

type Stop = () => Promise<void> | void;

const stops = new Set<Stop>();

/** Registers `stop`; the returned function unregisters it (call it once stopped normally). */
export function onCleanup(stop: Stop): () => void {
  stops.add(stop);
  return () => {
    stops.delete(stop);
  };
}

async function runAll(): Promise<void> {
  const all = [...stops];
  stops.clear();
  await Promise.allSettled(all.map(async (s) => s()));
}

let installed = false;

/** Ctrl-C / SIGTERM: stop everything registered, then exit 130 / 143. Idempotent. */
export function installSignalCleanup(): void {
  if (installed) return;
  installed = true;
  let stopping = false;
  const onSignal = (code: number) => (): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('\nbench: interrupted, stopping servers and clients\n');
    // Bounded: a stop that hangs must not keep the process alive.
    setTimeout(() => process.exit(code), 5_000).unref();
    void runAll().finally(() => process.exit(code));
  };
  process.on('SIGINT', onSignal(130));
  process.on('SIGTERM', onSignal(143));
}
