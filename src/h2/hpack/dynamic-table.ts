// The HPACK dynamic table (RFC 7541 §2.3.2, §4): a FIFO of fields, newest first in the index
// space, bounded by a size in octets. Shared by the encoder and the decoder, which keep one each.
//
// - Size (§4.1): the sum over entries of name octets + value octets + 32. Strings here are latin1
//   (one char per octet), so `length` is the octet count.
// - Eviction (§4.4): adding an entry first evicts from the oldest end until the new one fits; an
//   entry larger than the whole table empties it and is not added ("not an error").
// - Size updates (§4.3): lowering the maximum evicts at once.
//
// Storage is a ring buffer of parallel arrays (names, values) whose capacity doubles when full,
// so adding and evicting move no entries and allocate only when the table grows past its
// previous peak count. `inserted` counts the entries ever stored, so the table always holds
// sequence numbers inserted-length … inserted-1 (an oversized add empties the table and stores
// nothing, keeping that true): the encoder remembers a field's sequence number and turns it into
// an index without rescanning.

/** Per-entry overhead in octets (§4.1). */
export const ENTRY_OVERHEAD = 32;

/** Called with each entry the table evicts (the encoder drops it from its lookup). */
export type EvictListener = (name: string, value: string, seq: number) => void;

export class DynamicTable {
  #names: string[] = new Array<string>(16);
  #values: string[] = new Array<string>(16);
  #mask = 15;
  /** Slot of the oldest entry. */
  #tail = 0;
  #length = 0;
  #size = 0;
  #maxSize: number;
  #inserted = 0;
  readonly #onEvict: EvictListener | undefined;

  constructor(maxSize: number, onEvict?: EvictListener) {
    this.#maxSize = maxSize;
    this.#onEvict = onEvict;
  }

  /** Entries in the table. */
  get length(): number {
    return this.#length;
  }
  /** Octets used, by the §4.1 count. */
  get size(): number {
    return this.#size;
  }
  /** The current maximum size (the last size update, §4.3/§6.3). */
  get maxSize(): number {
    return this.#maxSize;
  }
  /** Entries ever stored; the newest entry's sequence number is inserted - 1. */
  get inserted(): number {
    return this.#inserted;
  }

  /** Name of the entry `i` places from the newest (0 = newest = HPACK index 62). */
  name(i: number): string {
    return this.#names[(this.#tail + this.#length - 1 - i) & this.#mask]!;
  }
  /** Value of the entry `i` places from the newest. */
  value(i: number): string {
    return this.#values[(this.#tail + this.#length - 1 - i) & this.#mask]!;
  }

  /** Sets the maximum size (a dynamic table size update), evicting what no longer fits. */
  setMaxSize(maxSize: number): void {
    this.#maxSize = maxSize;
    this.#evictTo(maxSize);
  }

  /** Adds a field as the newest entry (§4.4); one larger than the table empties it instead. */
  add(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    if (size > this.#maxSize) {
      this.#evictTo(0);
      return;
    }
    this.#evictTo(this.#maxSize - size);
    if (this.#length === this.#mask + 1) this.#grow();
    const slot = (this.#tail + this.#length) & this.#mask;
    this.#names[slot] = name;
    this.#values[slot] = value;
    this.#length++;
    this.#size += size;
    this.#inserted++;
  }

  /** Empties the table (what adding an entry larger than the whole table does, §4.4). */
  clear(): void {
    this.#evictTo(0);
  }

  /** Evicts oldest entries until the size is at most `target`. */
  #evictTo(target: number): void {
    while (this.#size > target) {
      const slot = this.#tail;
      const seq = this.#inserted - this.#length;
      const name = this.#names[slot]!;
      const value = this.#values[slot]!;
      this.#size -= name.length + value.length + ENTRY_OVERHEAD;
      // Drop references so evicted strings can be collected.
      this.#names[slot] = '';
      this.#values[slot] = '';
      this.#tail = (slot + 1) & this.#mask;
      this.#length--;
      if (this.#onEvict !== undefined) this.#onEvict(name, value, seq);
    }
  }

  #grow(): void {
    const cap = (this.#mask + 1) * 2;
    const names = new Array<string>(cap);
    const values = new Array<string>(cap);
    for (let i = 0; i < this.#length; i++) {
      const from = (this.#tail + i) & this.#mask;
      names[i] = this.#names[from]!;
      values[i] = this.#values[from]!;
    }
    this.#names = names;
    this.#values = values;
    this.#mask = cap - 1;
    this.#tail = 0;
  }
}
