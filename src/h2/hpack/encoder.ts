// HPACK encoder (RFC 7541 §6): a header list in, one header block out, for a connection's
// HEADERS (+ CONTINUATION) frames. Input is a flat list [name0, value0, …] of latin1 strings
// (one char per octet; a char over U+00FF is refused: it is not an octet). Names are taken as
// given: lowercasing and validation are the message layer's (RFC 9113 §8.2.1).
//
// Per field:
// - A field whose name and value are both in a table is sent as an index (§6.1), the static
//   table first.
// - A field that must not be indexed (neverIndex, by default as nghttp2 does: authorization,
//   proxy-authorization, and cookies shorter than 20 octets, which are easy to guess) is a
//   never-indexed literal (§6.2.3, §7.1.3), so no intermediary re-encoding it can index it
//   either and a table-probing attacker (CRIME-like, §7.1) learns nothing.
// - Otherwise a literal with incremental indexing (§6.2.1) when shouldIndex says so and the
//   entry takes at most 3/4 of the table (a larger one would evict most of it for one field),
//   else a literal without indexing (§6.2.2). The default shouldIndex skips fields whose values
//   change per request or response (nghttp2's list: :path, age, content-length, etag,
//   if-modified-since, if-none-match, location, set-cookie).
// - The name of a literal is an index when a table has it (the static table first: its index
//   never moves), else a literal string.
// - A string is Huffman-coded when that is shorter (§5.2), or per the `huffman` option.
//
// Table size (§4.2, §6.3): the table's maximum is min(our own cap, the peer's
// SETTINGS_HEADER_TABLE_SIZE). When it changes, the next block starts with size updates: the
// smallest value reached since the previous block, then the final one if larger (§4.2: "the
// smallest maximum table size that occurs in that interval MUST be signaled").
//
// Speed: the output goes into one buffer reused from block to block (encode returns a view of
// it); the tables are found with Map lookups by name then value, building no key strings; the
// dynamic table's positions are tracked by sequence number, so nothing is rescanned on insert
// or eviction.

import { InvalidRequestError } from '../../errors.js';
import { DEFAULT_TABLE_SIZE } from './decoder.js';
import { DynamicTable, ENTRY_OVERHEAD } from './dynamic-table.js';
import { huffmanEncode, huffmanEncodedLength } from './huffman.js';
import { encodeInteger } from './integer.js';
import { STATIC_BY_NAME, STATIC_LENGTH } from './static-table.js';

export type HuffmanPolicy = 'shorter' | 'always' | 'never';

export interface EncoderOptions {
  /** Our own cap on the dynamic table in octets (default 4096); 0 disables it. */
  maxTableSize?: number;
  /** When to Huffman-code strings: when shorter (default), always, never. */
  huffman?: HuffmanPolicy;
  /** Whether a field may enter the dynamic table. Default: defaultShouldIndex. */
  shouldIndex?: (name: string, value: string) => boolean;
  /** Whether a field is sent never-indexed (§6.2.3). Default: defaultNeverIndex. */
  neverIndex?: (name: string, value: string) => boolean;
}

const NOT_INDEXED = new Set([':path', 'age', 'content-length', 'etag', 'if-modified-since', 'if-none-match', 'location', 'set-cookie']);

/** nghttp2's choice: index every field except those whose values rarely repeat. */
export function defaultShouldIndex(name: string, _value: string): boolean {
  return !NOT_INDEXED.has(name);
}

/** nghttp2's choice: credentials, and cookies short enough to guess, are never indexed. */
export function defaultNeverIndex(name: string, value: string): boolean {
  return name === 'authorization' || name === 'proxy-authorization' || (name === 'cookie' && value.length < 20);
}

function notOctets(s: string): InvalidRequestError {
  return new InvalidRequestError('ERR_INVALID_HEADER', `header field ${JSON.stringify(s.slice(0, 40))} has a character over U+00FF: HTTP/2 fields are octets`);
}

/** Where the encoder's dynamic table holds a name: its newest entry and each value's entry. */
interface DynamicName {
  latest: number;
  values: Map<string, number>;
}

export class HpackEncoder {
  /** The dynamic table, exposed for tests and diagnostics. */
  readonly table: DynamicTable;
  readonly #ownMax: number;
  readonly #huffman: HuffmanPolicy;
  readonly #shouldIndex: (name: string, value: string) => boolean;
  readonly #neverIndex: (name: string, value: string) => boolean;
  readonly #byName = new Map<string, DynamicName>();
  /** Smallest table size since the last block, or -1 when no update is pending. */
  #pendingMin = -1;
  /** Set when a block failed half-way: see encode(). */
  #broken: Error | null = null;
  #buf: Buffer = Buffer.allocUnsafe(1024);

  constructor(opts: EncoderOptions = {}) {
    this.#ownMax = opts.maxTableSize ?? DEFAULT_TABLE_SIZE;
    this.#huffman = opts.huffman ?? 'shorter';
    this.#shouldIndex = opts.shouldIndex ?? defaultShouldIndex;
    this.#neverIndex = opts.neverIndex ?? defaultNeverIndex;
    // The peer's decoder starts at SETTINGS_HEADER_TABLE_SIZE's initial 4096 (RFC 9113 §6.5.2).
    this.table = new DynamicTable(DEFAULT_TABLE_SIZE, (name, value, seq) => this.#evicted(name, value, seq));
    // A cap below it must be announced in the first block; a larger one waits for the peer's
    // SETTINGS (the table may only grow to what the peer allows).
    if (this.#ownMax < DEFAULT_TABLE_SIZE) this.#resize(this.#ownMax);
  }

  /** The peer's SETTINGS_HEADER_TABLE_SIZE arrived or changed (RFC 9113 §6.5.2). */
  setPeerMaxTableSize(size: number): void {
    const target = Math.min(size, this.#ownMax);
    if (target !== this.table.maxSize || this.#pendingMin !== -1) this.#resize(target);
  }

  #resize(target: number): void {
    this.#pendingMin = this.#pendingMin === -1 ? target : Math.min(this.#pendingMin, target);
    this.table.setMaxSize(target);
  }

  /**
   * Encodes a header list given as [name, value, …]. Returns a view of the encoder's own buffer,
   * valid until the next call: copy it (or write it into frames) before encoding again.
   *
   * A field that is not octets (a char over U+00FF) fails the call with ERR_INVALID_HEADER, and
   * the encoder with it: fields before it may already have entered the dynamic table, which is
   * then ahead of the peer's, so every later call throws too and the connection must not send
   * another block. (Checking every char up front would keep the encoder usable at the price of a
   * second pass over every string; the message layer validates fields before they get here, so
   * this is a last line of defence, not a path to optimise.)
   */
  encode(fields: readonly string[]): Buffer {
    if (this.#broken !== null) throw this.#broken;
    try {
      return this.#encode(fields);
    } catch (e) {
      this.#broken = new InvalidRequestError('ERR_INVALID_HEADER', 'HPACK encoder unusable: an earlier header block failed half-way and its dynamic table may be ahead of the peer\'s', { cause: e });
      throw e;
    }
  }

  #encode(fields: readonly string[]): Buffer {
    let pos = 0;
    if (this.#pendingMin !== -1) {
      this.#ensure(pos, 12);
      pos = encodeInteger(this.#buf, pos, this.#pendingMin, 5, 0x20);
      if (this.table.maxSize !== this.#pendingMin) pos = encodeInteger(this.#buf, pos, this.table.maxSize, 5, 0x20);
      this.#pendingMin = -1;
    }
    for (let i = 0; i + 1 < fields.length; i += 2) pos = this.#field(fields[i]!, fields[i + 1]!, pos);
    return this.#buf.subarray(0, pos);
  }

  #field(name: string, value: string, pos: number): number {
    // Room for the worst case: the Huffman code (up to 30 bits per octet, written before it is
    // known to be shorter) and two integers of at most 6 octets each.
    this.#ensure(pos, (name.length + value.length) * 4 + 16);
    const out = this.#buf;
    const never = this.#neverIndex(name, value);
    const st = STATIC_BY_NAME.get(name);
    const dyn = this.#byName.get(name);
    if (!never) {
      const si = st?.values.get(value);
      if (si !== undefined) return encodeInteger(out, pos, si, 7, 0x80);
      const seq = dyn?.values.get(value);
      if (seq !== undefined) return encodeInteger(out, pos, this.#dynamicIndex(seq), 7, 0x80);
    }
    const nameIndex = st !== undefined ? st.index : dyn !== undefined ? this.#dynamicIndex(dyn.latest) : 0;
    let indexing = false;
    if (never) {
      pos = encodeInteger(out, pos, nameIndex, 4, 0x10);
    } else if (name.length + value.length + ENTRY_OVERHEAD <= (this.table.maxSize * 3) / 4 && this.#shouldIndex(name, value)) {
      indexing = true;
      pos = encodeInteger(out, pos, nameIndex, 6, 0x40);
    } else {
      pos = encodeInteger(out, pos, nameIndex, 4, 0x00);
    }
    if (nameIndex === 0) pos = this.#string(name, pos);
    pos = this.#string(value, pos);
    if (indexing) this.#insert(name, value);
    return pos;
  }

  #dynamicIndex(seq: number): number {
    return STATIC_LENGTH + this.table.inserted - seq;
  }

  #insert(name: string, value: string): void {
    // add() may evict entries of this very name first; record the new entry after it.
    const seq = this.table.inserted;
    this.table.add(name, value);
    let e = this.#byName.get(name);
    if (e === undefined) this.#byName.set(name, (e = { latest: seq, values: new Map() }));
    e.latest = seq;
    e.values.set(value, seq);
  }

  #evicted(name: string, value: string, seq: number): void {
    const e = this.#byName.get(name);
    if (e === undefined) return;
    if (e.values.get(value) === seq) e.values.delete(value);
    // Eviction goes oldest first, so when the newest entry of a name goes, all of them are gone.
    if (e.latest === seq) this.#byName.delete(name);
  }

  #string(s: string, pos: number): number {
    const out = this.#buf;
    const n = s.length;
    if (this.#huffman === 'shorter' && n < 127) {
      // Encode first, decide after: a code not shorter than the string is overwritten by the raw
      // octets. Its length prefix then fits the one octet reserved for it (hlen < n < 127), and
      // one pass over the string replaces a length pass plus an encoding pass.
      const end = huffmanEncode(s, out, pos + 1);
      if (end < 0) throw notOctets(s);
      const hlen = end - pos - 1;
      if (hlen < n) {
        out[pos] = 0x80 | hlen;
        return end;
      }
    } else if (this.#huffman !== 'never') {
      const hlen = huffmanEncodedLength(s);
      if (hlen < 0) throw notOctets(s);
      if (hlen < n || this.#huffman === 'always') return huffmanEncode(s, out, encodeInteger(out, pos, hlen, 7, 0x80));
    }
    pos = encodeInteger(out, pos, n, 7, 0x00);
    // Copied by hand, checking each char is an octet: for header-sized strings cheaper than
    // Buffer#write's call into native code, and the check is needed on the 'never' path anyway.
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) throw notOctets(s);
      out[pos++] = c;
    }
    return pos;
  }

  #ensure(pos: number, need: number): void {
    if (pos + need <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(pos + need, this.#buf.length * 2));
    this.#buf.copy(next, 0, 0, pos);
    this.#buf = next;
  }
}
