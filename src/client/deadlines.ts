// The Client's timeouts without a Node timer per request. Every request of one Client has the
// same timeout, so deadlines come in the order they are armed: a linked list, appended at the
// tail and unlinked in O(1) when the exchange ends, with one real timer for the head. A
// request costs no allocation here at all: the entry is the caller's own per-request object
// (client.ts Call), which says what to do when its time is up.

/** A deadline's place in the list; `expired()` runs when its time is up. */
export abstract class DeadlineEntry {
  /** When it fires (performance.now() milliseconds); -1 while not armed. */
  at = -1;
  prev: DeadlineEntry | null = null;
  next: DeadlineEntry | null = null;
  abstract expired(): void;
}

export class Deadlines {
  /** The timeout every entry gets, ms. */
  readonly timeout: number;
  #head: DeadlineEntry | null = null;
  #tail: DeadlineEntry | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(ms: number) {
    this.timeout = ms;
  }

  /** Calls `e.expired()` after the timeout unless cancelled first. An entry is armed once. */
  arm(e: DeadlineEntry): void {
    e.at = performance.now() + this.timeout;
    e.prev = this.#tail;
    e.next = null;
    if (this.#tail === null) this.#head = e;
    else this.#tail.next = e;
    this.#tail = e;
    if (this.#timer === null) this.#schedule(e.at);
  }

  /** Takes `e` off the list; nothing happens if it already fired or was cancelled. */
  cancel(e: DeadlineEntry): void {
    if (e.at === -1) return;
    e.at = -1;
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
      this.cancel(e);
      e.expired();
    }
    if (this.#head !== null) this.#schedule(this.#head.at);
  }
}
