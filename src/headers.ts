// Header fields for requests and responses. Names are case-insensitive and keep the spelling
// they were given (servers and proxies occasionally care). Storage is a flat [name, value, …]
// list as it came off the wire; the lower-cased index is built only when someone looks a name
// up, so a response whose headers nobody reads costs no Map.

export type HeadersInit =
  | Headers
  | Iterable<readonly [string, string]>
  | Record<string, string | number | readonly string[] | undefined>;

/** The fields of a Headers that has none yet: shared, so an empty Headers allocates nothing. */
const NO_FIELDS: readonly string[] = Object.freeze([]);

export class Headers implements Iterable<[string, string]> {
  /** The fields, once this object has a list of its own; null before (none yet, or `#head`'s). */
  #list: string[] | null = null;
  /** A response head whose fields are cut into strings only when first read (h1/head.ts). */
  #head: { readonly rawHeaders: string[] } | null = null;
  #index: Map<string, number[]> | null = null;

  constructor(init?: HeadersInit) {
    if (init === undefined) return;
    if (init instanceof Headers) {
      this.#list = init.#raw.slice();
    } else if (Symbol.iterator in init) {
      for (const [k, v] of init as Iterable<readonly [string, string]>) this.append(k, v);
    } else {
      for (const k of Object.keys(init)) {
        const v = (init as Record<string, string | number | readonly string[] | undefined>)[k];
        if (v === undefined) continue;
        if (Array.isArray(v)) for (const item of v) this.append(k, String(item));
        else this.append(k, String(v));
      }
    }
  }

  /** Wraps a flat [name, value, …] list from the parser without copying it. */
  static fromRaw(raw: string[]): Headers {
    const h = new Headers();
    h.#list = raw;
    return h;
  }

  /** A response head's fields, taken from it on first use: headers nobody reads cost nothing. */
  static fromHead(head: { readonly rawHeaders: string[] }): Headers {
    const h = new Headers();
    h.#head = head;
    return h;
  }

  /** The fields, to read. */
  get #raw(): readonly string[] {
    return this.#list ?? (this.#head === null ? NO_FIELDS : this.#own());
  }

  /** The fields as this object's own list, to change (the head's are taken over). */
  #own(): string[] {
    let list = this.#list;
    if (list === null) {
      list = this.#head === null ? [] : this.#head.rawHeaders;
      this.#list = list;
      this.#head = null;
    }
    return list;
  }

  #lookup(name: string): number[] | undefined {
    if (this.#index === null) {
      const raw = this.#raw;
      // Most requests carry no headers of their own: no index for nothing.
      if (raw.length === 0) return undefined;
      const index = new Map<string, number[]>();
      for (let i = 0; i < raw.length; i += 2) {
        const key = raw[i]!.toLowerCase();
        const slot = index.get(key);
        if (slot === undefined) index.set(key, [i]);
        else slot.push(i);
      }
      this.#index = index;
    }
    return this.#index.get(name.toLowerCase());
  }

  /** The first value for `name` (as Go's Header.Get), or null. */
  get(name: string): string | null {
    const slot = this.#lookup(name);
    return slot === undefined ? null : this.#raw[slot[0]! + 1]!;
  }

  /** Every value for `name`, in order. */
  values(name: string): string[] {
    const slot = this.#lookup(name);
    return slot === undefined ? [] : slot.map((i) => this.#raw[i + 1]!);
  }

  has(name: string): boolean {
    return this.#lookup(name) !== undefined;
  }

  set(name: string, value: string): this {
    this.delete(name);
    return this.append(name, value);
  }

  append(name: string, value: string): this {
    this.#own().push(String(name), String(value));
    this.#index = null;
    return this;
  }

  delete(name: string): this {
    if (!this.has(name)) return this;
    const lower = name.toLowerCase();
    const next: string[] = [];
    const raw = this.#raw;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.toLowerCase() !== lower) next.push(raw[i]!, raw[i + 1]!);
    }
    this.#list = next;
    this.#index = null;
    return this;
  }

  /** Pairs in wire order, names as given. */
  *entries(): IterableIterator<[string, string]> {
    const raw = this.#raw;
    for (let i = 0; i < raw.length; i += 2) yield [raw[i]!, raw[i + 1]!];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  get size(): number {
    return this.#raw.length / 2;
  }

  /** The flat list (read-only by convention); the writer serializes straight from it. */
  raw(): readonly string[] {
    return this.#raw;
  }

  clone(): Headers {
    return new Headers(this);
  }

  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of this.entries()) {
      const key = k.toLowerCase();
      const prev = out[key];
      if (prev === undefined) out[key] = v;
      else if (Array.isArray(prev)) prev.push(v);
      else out[key] = [prev, v];
    }
    return out;
  }
}
