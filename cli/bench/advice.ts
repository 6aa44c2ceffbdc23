// Advice from a bench run: the pool advice rules (src/advice/rules.ts, the same ones a
// Transport's run-time warnings use) over the whole run, as sentences for the report.

import { advisePool } from '../../src/advice/rules.js';
import type { AdviceInput as PoolAdviceInput, HostObservation, PoolSettings } from '../../src/advice/types.js';

export type { HostObservation, PoolSettings };

export interface AdviceInput extends PoolAdviceInput {
  /** Callers the bench ran (-c). */
  concurrency: number;
}

/** Every rule's sentence, in the order a reader should act on them; [] means the pool was healthy. */
export function advise(input: AdviceInput): string[] {
  return advisePool(input).map((a) => a.message);
}
