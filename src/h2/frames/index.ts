// The HTTP/2 frame layer (RFC 9113 §4, §6): constants, the incremental reader, the writers.
export * from './types.js';
export * from './error.js';
export * from './reader.js';
export * from './writer.js';
