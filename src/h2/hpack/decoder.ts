// HPACK decoder (RFC 7541 §3, §6): one header block (HEADERS + CONTINUATION payloads joined by
// the frame layer) in, a header list out, the dynamic table updated as the peer's encoder did.
//
// Output: a flat list [name0, value0, name1, value1, …] of latin1 strings, one char per octet,
// as node:http2 hands header fields over (field values are octets, RFC 9110 §5.5; this layer
// picks no text encoding and validates no field syntax: the message layer does, e.g. with
// fieldNameError from ./fields.js, because a malformed field is a stream error, RFC 9113 §8.1.1,
// while everything refused here is a connection error). A flat list costs one array per block
// where pairs would cost one per field.
//
// Refused with HpackError (h2Code COMPRESSION_ERROR, RFC 9113 §4.3):
// - index 0 (§6.1) and indexes past the static and dynamic tables (§2.3.3);
// - a dynamic table size update after the first field (§4.2: "MUST occur at the beginning of
//   the first header block following the change"), one over the size we advertised in
//   SETTINGS_HEADER_TABLE_SIZE (§6.3), and a block that lacks the update we required by
//   lowering that setting below the table's size (§4.2);
// - integers over 2^31-1 or too long (./integer.ts), strings past the block's end, Huffman errors
//   (./huffman.ts).
//
// The header list limit (SETTINGS_MAX_HEADER_LIST_SIZE: names + values + 32 per field, RFC 9113
// §6.5.2) is counted field by field while decoding, before a literal value's string is made.
// Past it the decoder keeps no more fields but still reads the block to its end, applying every
// insertion, so its table stays in step with the peer's and only the stream fails
// (HeaderListTooLargeError). A block of many references to one large dynamic entry (the "HPACK
// bomb") therefore costs one table lookup per reference and no string beyond the table's own.

import { latin1 } from '../../h1/syntax.js';
import { ENTRY_OVERHEAD, DynamicTable } from './dynamic-table.js';
import { HeaderListTooLargeError, HpackError } from './errors.js';
import { huffmanDecode, maxDecodedLength } from './huffman.js';
import { decodeInteger, type Cursor } from './integer.js';
import { STATIC_LENGTH, STATIC_NAMES, STATIC_VALUES } from './static-table.js';

/** SETTINGS_HEADER_TABLE_SIZE's initial value (RFC 9113 §6.5.2). */
export const DEFAULT_TABLE_SIZE = 4096;

/** Scratch octets a decoder keeps between blocks; more is released after the block that used it. */
const SCRATCH_KEEP = 16 * 1024;

export interface DecoderOptions {
  /**
   * Our SETTINGS_HEADER_TABLE_SIZE, as acknowledged by the peer (default 4096): the table starts
   * at 4096 as the peer's encoder does, and a smaller value requires the first block to start
   * with a size update to it (as setMaxTableSize). Before the ACK, construct with the default
   * and call setMaxTableSize on it.
   */
  maxTableSize?: number;
  /** The SETTINGS_MAX_HEADER_LIST_SIZE we advertise (RFC 9113 §6.5.2 count). Default: none. */
  maxHeaderListSize?: number;
}

export class HpackDecoder {
  /** The dynamic table, exposed for tests and for diagnostics. */
  readonly table: DynamicTable;
  /**
   * Field numbers (0-based, in the last decoded list) that came as never-indexed literals
   * (§6.2.3): an intermediary re-encoding them must keep them never-indexed (§7.1.3).
   */
  readonly neverIndexed: number[] = [];
  #allowedTableSize: number;
  /** We lowered the table size below the table's max: the next block must start with an update. */
  #updateRequired = false;
  #maxListSize: number;
  #scratch: Buffer = Buffer.allocUnsafe(256);
  readonly #cur: Cursor = { pos: 0 };

  constructor(opts: DecoderOptions = {}) {
    // The peer's encoder starts at the protocol's initial 4096 whatever we advertise (RFC 9113
    // §6.5.2), so the table does too: starting it at our own value would evict differently from
    // the peer until its first size update.
    this.table = new DynamicTable(DEFAULT_TABLE_SIZE);
    this.#allowedTableSize = DEFAULT_TABLE_SIZE;
    this.#maxListSize = opts.maxHeaderListSize ?? Infinity;
    if (opts.maxTableSize !== undefined) this.setMaxTableSize(opts.maxTableSize);
  }

  /**
   * Our SETTINGS_HEADER_TABLE_SIZE changed (call once the peer acknowledged it, RFC 9113 §6.5.3).
   * Lowering it below the table's current maximum requires the peer's next block to start with
   * a size update that fits (§4.2); raising it only allows larger updates.
   */
  setMaxTableSize(size: number): void {
    this.#allowedTableSize = size;
    if (size < this.table.maxSize) this.#updateRequired = true;
  }

  /** Our SETTINGS_MAX_HEADER_LIST_SIZE changed. */
  setMaxHeaderListSize(size: number): void {
    this.#maxListSize = size;
  }

  /**
   * Decodes one complete header block. Fields are appended to `out` (a new array by default) as
   * name, value pairs. Throws HpackError (connection error) or HeaderListTooLargeError (stream
   * error; the table is in step).
   */
  decode(block: Uint8Array, out: string[] = []): string[] {
    const src = Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength);
    const end = src.length;
    const cur = this.#cur;
    const table = this.table;
    const maxList = this.#maxListSize;
    if (this.neverIndexed.length !== 0) this.neverIndexed.length = 0;
    cur.pos = 0;
    let fields = 0;
    let listSize = 0;
    let over = false;

    while (cur.pos < end) {
      const b = src[cur.pos]!;
      if ((b & 0xe0) === 0x20) {
        // §6.3 Dynamic Table Size Update: 001xxxxx.
        if (fields > 0) throw new HpackError('dynamic table size update after a header field (RFC 7541 §4.2)');
        const size = decodeInteger(src, cur, end, 5);
        if (size > this.#allowedTableSize) {
          throw new HpackError(`dynamic table size update to ${size}, over the ${this.#allowedTableSize} we advertised (RFC 7541 §6.3)`);
        }
        table.setMaxSize(size);
        this.#updateRequired = false;
        continue;
      }
      if (fields === 0 && this.#updateRequired) {
        throw new HpackError(`no dynamic table size update at the start of the block after SETTINGS_HEADER_TABLE_SIZE was lowered to ${this.#allowedTableSize} (RFC 7541 §4.2)`);
      }
      fields++;

      let name: string;
      let value: string;
      if ((b & 0x80) !== 0) {
        // §6.1 Indexed Header Field: 1xxxxxxx.
        const index = decodeInteger(src, cur, end, 7);
        if (index <= STATIC_LENGTH) {
          if (index === 0) throw new HpackError('index 0 (RFC 7541 §6.1)');
          name = STATIC_NAMES[index]!;
          value = STATIC_VALUES[index]!;
        } else {
          const i = index - STATIC_LENGTH - 1;
          if (i >= table.length) throw new HpackError(`index ${index} past the dynamic table (${table.length} entries, RFC 7541 §2.3.3)`);
          name = table.name(i);
          value = table.value(i);
        }
        listSize += name.length + value.length + ENTRY_OVERHEAD;
        if (listSize > maxList) over = true;
        if (!over) out.push(name, value);
        continue;
      }

      // Literals: 01xxxxxx with incremental indexing (§6.2.1, 6-bit name index), 0000xxxx
      // without indexing (§6.2.2) and 0001xxxx never indexed (§6.2.3), 4-bit name index.
      const indexing = (b & 0x40) !== 0;
      const nameIndex = decodeInteger(src, cur, end, indexing ? 6 : 4);
      name = nameIndex === 0 ? this.#stringBody(this.#stringHeader(src, end)) : this.#indexedName(nameIndex);
      const valueLength = this.#stringHeader(src, end);
      // The list's size with this field, known before the value's string is made.
      listSize += name.length + valueLength + ENTRY_OVERHEAD;
      if (listSize > maxList) over = true;
      if (over && !(indexing && name.length + valueLength + ENTRY_OVERHEAD <= table.maxSize)) {
        // Kept neither in the list nor in the table: no string is made. An indexed field larger
        // than the whole table empties it and is not added (§4.4).
        if (indexing) table.clear();
        continue;
      }
      value = this.#stringBody(valueLength);
      if (indexing) table.add(name, value);
      if (!over) {
        if ((b & 0xf0) === 0x10) this.neverIndexed.push(out.length >>> 1);
        out.push(name, value);
      }
    }
    this.#release();
    if (over) throw new HeaderListTooLargeError(maxList, listSize);
    return out;
  }

  /**
   * Drops what one block needed: the reference to the block itself, and a scratch buffer grown
   * past SCRATCH_KEEP by one long Huffman string, so a connection idles at its usual size.
   */
  #release(): void {
    if (this.#scratch.length > SCRATCH_KEEP) this.#scratch = Buffer.allocUnsafe(256);
    this.#strSrc = this.#scratch;
  }

  #indexedName(index: number): string {
    if (index <= STATIC_LENGTH) return STATIC_NAMES[index]!;
    const i = index - STATIC_LENGTH - 1;
    if (i >= this.table.length) throw new HpackError(`name index ${index} past the dynamic table (${this.table.length} entries, RFC 7541 §2.3.3)`);
    return this.table.name(i);
  }

  // A string literal (§5.2) is read in two steps so its decoded length is known before its
  // string is made: #stringHeader parses the length (and Huffman-decodes into the scratch
  // buffer, the only way to learn a Huffman string's length) and returns the decoded length;
  // #stringBody makes the string.
  #strStart = 0;
  #strSrc: Buffer = this.#scratch;

  #stringHeader(src: Buffer, end: number): number {
    const cur = this.#cur;
    if (cur.pos >= end) throw new HpackError('truncated string literal');
    const huffman = (src[cur.pos]! & 0x80) !== 0;
    const length = decodeInteger(src, cur, end, 7);
    const start = cur.pos;
    if (length > end - start) throw new HpackError(`string literal of ${length} octets past the end of the block`);
    cur.pos = start + length;
    if (!huffman) {
      this.#strSrc = src;
      this.#strStart = start;
      return length;
    }
    const need = maxDecodedLength(length);
    if (this.#scratch.length < need) this.#scratch = Buffer.allocUnsafe(Math.max(need, this.#scratch.length * 2));
    this.#strSrc = this.#scratch;
    this.#strStart = 0;
    return huffmanDecode(src, start, start + length, this.#scratch);
  }

  #stringBody(length: number): string {
    return latin1(this.#strSrc, this.#strStart, this.#strStart + length);
  }
}
