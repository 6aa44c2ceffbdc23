// HPACK (RFC 7541) for httpool's HTTP/2 client: pure (no sockets, no timers), one block at a time.
export { HpackDecoder, DEFAULT_TABLE_SIZE, type DecoderOptions } from './decoder.js';
export { HpackEncoder, defaultNeverIndex, defaultShouldIndex, type EncoderOptions, type HuffmanPolicy } from './encoder.js';
export { DynamicTable, ENTRY_OVERHEAD } from './dynamic-table.js';
export { HeaderListTooLargeError, HpackError, type HpackH2Code } from './errors.js';
export { fieldNameError } from './fields.js';
export { huffmanDecode, huffmanEncode, huffmanEncodedLength, maxDecodedLength } from './huffman.js';
export { decodeInteger, encodeInteger, integerLength, MAX_INTEGER, MAX_CONTINUATION_OCTETS, type Cursor } from './integer.js';
export { STATIC_BY_NAME, STATIC_LENGTH, STATIC_NAMES, STATIC_VALUES } from './static-table.js';
