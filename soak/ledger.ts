// The run's tally: counts only, plus a short list of problems, so the soak's own memory stays
// flat however long it runs (its heap is under test too). Failures wait here for the server's
// account of them, then are judged and folded into counts.

import { KINDS, READ_MODES, type Kind, type ReadMode } from './plan.js';
import type { Cause, Failure, Verdict } from './verify.js';

/** Problems kept verbatim; past this only the count grows. */
const KEEP_PROBLEMS = 25;

/** What kind of wrong: each is a check of its own in the report. */
export type ProblemKind = 'wrong' | 'hang' | 'untyped' | 'undeserved' | 'cap' | 'verifier';

export interface ErrorTally {
  deserved: number;
  undeserved: number;
}

export class Ledger {
  started = 0;
  ok = 0;
  /** Requests that succeeded after more than one attempt (a retry on another connection). */
  retriedOk = 0;
  hung = 0;
  readonly byKind = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  readonly byRead = Object.fromEntries(READ_MODES.map((r) => [r, 0])) as Record<ReadMode, number>;
  readonly errors = new Map<string, ErrorTally>();
  readonly causes = new Map<Cause, ErrorTally>();
  /** Failures waiting for the server's records. */
  pending: Failure[] = [];
  problems: string[] = [];
  readonly problemCounts: Record<ProblemKind, number> = { wrong: 0, hang: 0, untyped: 0, undeserved: 0, cap: 0, verifier: 0 };

  begin(kind: Kind, read: ReadMode): void {
    this.started++;
    this.byKind[kind]++;
    this.byRead[read]++;
  }

  /** Anything that fails the soak: a wrong byte, a hang, a cap exceeded, an undeserved error. */
  problem(kind: ProblemKind, text: string): void {
    this.problemCounts[kind]++;
    if (this.problems.length < KEEP_PROBLEMS) this.problems.push(`${kind}: ${text}`);
  }

  judged(f: Failure, v: Verdict): void {
    const e = this.errors.get(f.code) ?? { deserved: 0, undeserved: 0 };
    const c = this.causes.get(v.cause) ?? { deserved: 0, undeserved: 0 };
    if (v.deserved) {
      e.deserved++;
      c.deserved++;
    } else {
      e.undeserved++;
      c.undeserved++;
      this.problem('undeserved', v.why);
    }
    this.errors.set(f.code, e);
    this.causes.set(v.cause, c);
  }

  get failed(): number {
    let n = 0;
    for (const e of this.errors.values()) n += e.deserved + e.undeserved;
    return n + this.pending.length;
  }
}
