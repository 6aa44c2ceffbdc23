// The Client's timeouts without a Node timer per request. Every request of one Client has the
// same timeout, so deadlines come in the order they are armed: a linked list, appended at the
// tail and unlinked in O(1) when the exchange ends, with one real timer for the head. A
// request costs one small entry instead of a Timeout object linked into Node's timer lists and
// a timer operation to arm and another to clear.

export interface Deadline {
  /** When it fires (performance.now() milliseconds). */
  readonly at: number;
}

interface Entry extends Deadline {
  fire: (() => void) | null;
  prev: Entry | null;
  next: Entry | null;
}

export class Deadlines {
  readonly #ms: number;
  #head: Entry | null = null;
  #tail: Entry | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Calls `fire` after the timeout unless cancelled first. */
  arm(fire: () => void): Deadline {
    const e: Entry = { at: performance.now() + this.#ms, fire, prev: this.#tail, next: null };
    if (this.#tail === null) this.#head = e;
    else this.#tail.next = e;
    this.#tail = e;
    if (this.#timer === null) this.#schedule(e.at);
    return e;
  }

  cancel(d: Deadline): void {
    const e = d as Entry;
    if (e.fire === null) return;
    e.fire = null;
    if (e.prev === null) this.#head = e.next;
    else e.prev.next = e.next;
    if (e.next === null) this.#tail = e.prev;
    else e.next.prev = e.prev;
    e.prev = e.next = null;
    // The timer stays armed for the old head: when it fires it re-arms for the new one. One
    // wake-up per timeout period at most, instead of a timer operation per request.
  }

  #schedule(at: number): void {
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, at - performance.now()) + 1);
    // A pending request keeps its socket (and so the process) alive; the timer need not.
    this.#timer.unref();
  }

  #expire(): void {
    this.#timer = null;
    const now = performance.now();
    while (this.#head !== null && this.#head.at <= now) {
      const e = this.#head;
      const fire = e.fire!;
      this.cancel(e);
      fire();
    }
    if (this.#head !== null) this.#schedule(this.#head.at);
  }
}
