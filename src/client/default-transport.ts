// The one Transport shared by every Client built without its own (Go's DefaultTransport).
// Created on first use so importing httpool opens nothing.

import { Transport } from '../transport/transport.js';

let shared: Transport | null = null;

export function defaultTransport(): Transport {
  shared ??= new Transport();
  return shared;
}
