// What we know of one host's idle limit: how long the server keeps an idle keep-alive
// connection before closing it. Seed 003: the server closed after 10 s while the client kept
// connections 90 s, so reuse raced the server's FIN. We take the limit from `Keep-Alive:
// timeout=N` when the server says it, and otherwise learn it from the idle closes we see.
//
// Learning rule: the shortest idle time at which the server closed a connection, ignoring
// closes that cannot have been the idle timeout (a connection idle longer than the one
// closed was still open, or the close came within MIN_LEARN_MS) and forgetting what was
// learned after FORGET_MS without a new observation (a restarted server must not shrink the
// limit forever).
//
// Nor is anything learned from a mass close: several idle connections closed by the server
// within MASS_CLOSE_MS of each other. That is not an idle timeout (each connection's would
// fall at its own time) but a server shedding load: Apache's event MPM drops every idle
// keep-alive connection at once when its workers are busy, whatever their age, and learning
// from it (the real-server tests saw ~100 ms) would retire connections early for minutes.
// Whatever the first close of the burst taught is undone when the second arrives.

const MIN_LEARN_MS = 50;
const FORGET_MS = 5 * 60_000;
const MASS_CLOSE_MS = 20;

export class HostLimits {
  #learned = 0;
  #learnedAt = 0;
  /** What was known before the last observation, to undo it if it turns out to start a mass close. */
  #before = { learned: 0, learnedAt: 0 };
  #lastCloseAt = -Infinity;

  /** A server closed a connection that had been idle `idleMs`. */
  observeServerClose(idleMs: number, now: number, olderIdleStillOpen: boolean): void {
    const burst = now - this.#lastCloseAt <= MASS_CLOSE_MS;
    this.#lastCloseAt = now;
    if (burst) {
      this.#learned = this.#before.learned;
      this.#learnedAt = this.#before.learnedAt;
      return;
    }
    this.#before = { learned: this.#learned, learnedAt: this.#learnedAt };
    if (idleMs < MIN_LEARN_MS || olderIdleStillOpen) return;
    if (this.#learned === 0 || now - this.#learnedAt > FORGET_MS || idleMs < this.#learned) {
      this.#learned = idleMs;
    }
    this.#learnedAt = now;
  }

  /** The idle limit to respect, ms, or 0 when unknown. An announced limit wins over a learned one. */
  limitFor(announcedMs: number, now: number): number {
    if (announcedMs > 0) return announcedMs;
    if (this.#learned > 0 && now - this.#learnedAt <= FORGET_MS) return this.#learned;
    return 0;
  }

  get learned(): number {
    return this.#learned;
  }
}
