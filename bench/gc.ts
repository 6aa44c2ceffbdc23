// A full garbage collection on demand, for the memory figures and to start every measured
// run with a clean heap (so one client's garbage is not collected on the next client's time).
// --expose-gc set at run time, so `npm run bench` needs no node flag: the flag only takes
// effect for contexts made after it, hence the fresh vm context to fetch `gc` from.

import v8 from 'node:v8';
import vm from 'node:vm';

let gcFn: (() => void) | null = null;

export function fullGc(): void {
  if (gcFn === null) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  // Twice: the first pass can leave objects that only the second finds unreachable (weak refs, finalizers).
  gcFn();
  gcFn();
}
