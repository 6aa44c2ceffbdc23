// Subresource Integrity for fetch's `integrity` option (W3C SRI §3.3, as Fetch §4.1 main fetch
// applies it): the body is read whole and hashed before the caller sees any of it, so a
// mismatch rejects the fetch and not one byte of the wrong body is delivered.

import { createHash } from 'node:crypto';

type Algorithm = 'sha256' | 'sha384' | 'sha512';

/** Strength order (SRI §3.3.4 getPrioritizedHashFunction): later is stronger. */
const STRENGTH: Record<Algorithm, number> = { sha256: 1, sha384: 2, sha512: 3 };

// hash-with-options (SRI §3.5): alg "-" value, then "?" options. A token that names a known
// algorithm counts even when its value is malformed ("sha384-ä"): it can never match, so the
// fetch fails closed instead of a typo turning the check off (Node's fetch does the same).
const TOKEN = /^(sha256|sha384|sha512)-([^?]*)/i;

export interface Metadata {
  algorithm: Algorithm;
  /** The expected digest as unpadded standard base64. */
  digest: string;
}

/**
 * The metadata to check: the entries of the strongest algorithm listed (SRI §3.3.3 parse
 * metadata, then "get the strongest metadata"). Empty when nothing usable is listed (only
 * unknown algorithms or malformed tokens), in which case SRI says the body matches.
 */
export function parseIntegrity(metadata: string): Metadata[] {
  const all: Metadata[] = [];
  for (const token of metadata.split(/[\t\n\f\r ]+/)) {
    const m = TOKEN.exec(token);
    if (m === null) continue;
    all.push({ algorithm: m[1]!.toLowerCase() as Algorithm, digest: toBase64(m[2]!) });
  }
  let strongest = 0;
  for (const item of all) strongest = Math.max(strongest, STRENGTH[item.algorithm]);
  return all.filter((item) => STRENGTH[item.algorithm] === strongest);
}

/** Does `bytes` match one of `metadata` (all of one algorithm)? Padding and base64url spelling are ignored. */
export function integrityMatches(bytes: Uint8Array, metadata: readonly Metadata[]): boolean {
  if (metadata.length === 0) return true;
  const actual = toBase64(createHash(metadata[0]!.algorithm).update(bytes).digest('base64'));
  return metadata.some((item) => item.digest === actual);
}

/** base64 or base64url, padded or not → unpadded base64 (browsers and the WPT accept either spelling). */
function toBase64(value: string): string {
  return value.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
}
